// Buttons in the simulator, from the sources and as the built bundle in the Espruino shim: a press
// switches its relay with the broker stopped and the state is published once it is back; a long press
// restarts the board cleanly (offline, no will) and it boots again.
import { describe, expect, it } from "vitest";
import { sleep, until } from "../support/wait";
import { startedEach } from "./board-features-harness";

describe.each(["source", "bundle"] as const)("buttons in the simulator, %s mode", (mode) => {
  const start = startedEach();

  it("a press toggles its relay with the broker stopped; the state is published when the broker is back", async () => {
    const s = await start(mode);
    const pumpOn = () => s.board.bank.read("D26") === false; // active-low
    await s.peer.subscribe({ [s.topics.relayState[0]]: 1 });
    await s.sim.restartBroker(async () => {
      await until(() => !s.board.isConnected(), 3000, "the board to notice the broker is gone");
      await s.board.click(0);
      await until(pumpOn, 2000, "the pump to switch on without the broker");
    });
    await until(() => s.board.isConnected(), 15000, "the board to reconnect");
    await until(() => s.of("published").some((e) => e.topic === s.topics.relayState[0] && e.payload === "ON"), 5000, "pump ON published");
    expect(s.of("button").map((e) => [e.button, e.pressed])).toEqual([["b1", true], ["b1", false]]);
    // A second press: OFF, at once now that the link is up.
    await s.board.click(0);
    await until(() => !pumpOn(), 2000, "the pump to switch off");
    await until(() => s.peer.messages.some((m) => m.topic === s.topics.relayState[0] && m.payload === "OFF"), 3000, "OFF at the peer");
  }, 30000);

  it("momentary: the relay is on while the button is held, and interlock still turns its partner off first", async () => {
    const s = await start(mode);
    await s.peer.publish(s.topics.relaySet[1], "ON", 1);
    await until(() => s.board.bank.read("D27"), 3000, "valve1 on");
    s.board.press(1);
    await until(() => s.board.bank.read("D25"), 2000, "valve2 on while held");
    expect(s.board.bank.read("D27")).toBe(false);
    await sleep(300);
    expect(s.board.bank.read("D25")).toBe(true);
    s.board.release(1);
    await until(() => !s.board.bank.read("D25"), 2000, "valve2 off at release");
  });

  it("a long press restarts cleanly: offline (retained), DISCONNECT, no will; the board boots and comes back online", async () => {
    const s = await start(mode);
    await s.peer.subscribe({ [s.topics.status]: 1 });
    s.board.press(2);
    await until(() => s.of("stopped").length > 0, 4000, "the restart");
    s.board.release(2);
    expect(s.of("stopped")[0].how).toBe("reboot");
    const out = s.of("packet").filter((e) => e.dir === "out").map((e) => e.packet);
    const last = out.slice(-2);
    expect(last[0]).toMatchObject({ type: "PUBLISH", topic: s.topics.status, payload: "offline", retain: true });
    expect(last[1]).toMatchObject({ type: "DISCONNECT" });
    await until(() => s.of("boot").length === 2 && s.board.isConnected(), 8000, "the board to boot and connect again");
    const status = () => s.peer.messages.filter((m) => m.topic === s.topics.status).map((m) => m.payload);
    await until(() => status().length >= 3, 3000, () => `offline then online at the peer: ${JSON.stringify(s.peer.messages)}`);
    await sleep(200);
    // The retained online, the board's own offline, online again: no will (a second offline) in between.
    expect(status()).toEqual(["online", "offline", "online"]);
  }, 20000);
});
