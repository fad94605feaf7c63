// An example of a user's own test with the simulator (README "In your own tests"): a board from
// board.json, inputs driven, topics awaited, time advanced. Copy it next to your own tests.
import { afterEach, describe, expect, it } from "vitest";
import { startSession, type SimSession } from "../../sim/scenario/api";

describe.each(["source", "bundle"] as const)("example: the default board (%s mode)", (mode) => {
  let sim: SimSession | null = null;
  afterEach(async () => {
    await sim?.stop();
    sim = null;
  });

  it("reports the door, switches the pump, and its fail-safe turns it off 120 s after the broker left", async () => {
    sim = await startSession({ board: "board.json", mode });
    await sim.expect({ topic: "{prefix}/status", payload: "online", retained: true, within: "2s" });

    // The door contact closes: reported once it held for its 50 ms debounce (sim.now() is board time).
    const closed = sim.now();
    await sim.input("door", { level: "low" });
    const door = await sim.expect({ topic: "{prefix}/sensor/door/state", payload: "1" });
    expect(door.t - closed).toBe(50);

    await sim.publish("{prefix}/relay/pump/set", "ON", { qos: 1 });
    expect(sim.relay("pump")).toEqual({ on: true, level: "low" });
    await sim.expect({ topic: "{prefix}/relay/pump/state", payload: "ON", retained: true });

    await sim.broker("stop");
    await sim.advance("119s");
    expect(sim.relay("pump").on).toBe(true);
    await sim.advance("2s");
    expect(sim.relay("pump").on).toBe(false);

    await sim.broker("start");
    const state = await sim.expect({ topic: "{prefix}/relay/pump/state", payload: "OFF", within: "2m" });
    expect(state.retain).toBe(true);
  });
});
