// The simulator session on virtual time, in both modes against a real broker: the client's keep alive
// and backoff run on the board's clock while the bytes still cross real sockets; expectations look at
// the right window and say what they saw when they fail; actions refuse what cannot be done.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startSession, ScenarioFailure, type SimSession } from "../../sim/scenario/api";
import { builtFirmware } from "../../sim/scenario/firmware-build";
import { loadSimBoard, sidecarPath } from "../../sim/cli/sim-board";
import { publicBoard } from "../../sim/build/public-board";

const MODES = ["source", "bundle"] as const;
let sim: SimSession | null = null;
afterEach(async () => {
  await sim?.stop();
  sim = null;
});

async function online(mode: (typeof MODES)[number], opts: { link?: boolean; seed?: number; bundleFile?: string } = {}): Promise<SimSession> {
  sim = await startSession({ board: "board.json", mode, ...opts });
  await sim.expect({ topic: "{prefix}/status", payload: "online", within: "2s" });
  return sim;
}

/** Board times (ms) of one packet type in one direction, from the session's trace. */
function packets(s: SimSession, dir: "out" | "in", type: string): number[] {
  return s.events.filter((e) => e.event === "packet" && e.dir === dir && e.packet.type === type).map((e) => e.t);
}

describe.each(MODES)("board time in %s mode", (mode) => {
  it("keep alive: a PINGREQ 30 s after the last packet, answered by the real broker; ten minutes keep the session", async () => {
    const s = await online(mode);
    const real = performance.now();
    const lastOut = Math.max(...s.events.filter((e) => e.event === "packet" && e.dir === "out").map((e) => e.t));
    await s.advance("10m");
    const pings = packets(s, "out", "PINGREQ");
    // On the first 100 ms tick at or after 30 s since the last packet out.
    expect(pings[0] - (lastOut + 30_000)).toBeGreaterThanOrEqual(0);
    expect(pings[0] - (lastOut + 30_000)).toBeLessThan(100);
    // Then one every 30 s on the tick grid: 19 or 20 in ten minutes, as the grid falls; each answered.
    const gaps = pings.slice(1).map((t, i) => t - pings[i]);
    for (const g of gaps) expect(g >= 30_000 && g < 30_100, `gap ${g} ms`).toBe(true);
    expect(pings.length).toBeGreaterThanOrEqual(19);
    expect(packets(s, "in", "PINGRESP").length).toBe(pings.length);
    expect(s.events.filter((e) => e.event === "disconnected")).toEqual([]);
    // Ten minutes of board time, 6,000 ticks and 20 round trips to the broker: well under 10 s of real time.
    expect(performance.now() - real).toBeLessThan(10_000);
  });

  it("backoff: with the broker gone, attempts come at growing board-time intervals, the same ones for the same seed", async () => {
    const attempts = async (seed: number) => {
      const s = await online(mode, { seed });
      await s.broker("stop");
      const from = s.now();
      await s.advance("5m");
      const times = s.events.filter((e) => e.event === "error" && e.what === "connect" && e.t > from).map((e) => e.t);
      await s.stop();
      sim = null;
      return times;
    };
    const a = await attempts(3);
    expect(a.length).toBeGreaterThanOrEqual(6);
    const gaps = a.slice(1).map((t, i) => t - a[i]);
    // The n-th delay is drawn from [2^n, 2^(n+1)] s, capped to 30-60 s; an attempt starts on the 100 ms tick
    // after its delay. Where the run starts depends on the attempts made before, so find the step of the
    // first gap; the next ones follow it.
    const fits = (ms: number, n: number) => {
      const hi = Math.min(1000 * 2 ** (n + 1), 60_000);
      return ms >= Math.max(hi / 2, 1000) - 100 && ms <= hi + 100;
    };
    const first = [0, 1, 2, 3].find((n) => gaps.every((g, i) => fits(g, n + i)));
    expect(first, `gaps ${gaps.join(", ")} ms do not follow the backoff`).toBeDefined();
    expect(gaps.at(-1)).toBeGreaterThanOrEqual(29_900);
    expect(await attempts(3)).toEqual(a);
  });

  it("a stalled link goes unanswered without holding the clock, and the ping timeout drops it at 45 s", async () => {
    const s = await online(mode, { link: true });
    const real = performance.now();
    await s.link("stall");
    await s.advance("46s");
    const ping = packets(s, "out", "PINGREQ")[0];
    expect(packets(s, "in", "PINGRESP")).toEqual([]);
    expect(s.events.filter((e) => e.event === "disconnected").map((e) => e.t)).toEqual([ping + 15_000]);
    expect(await s.expectLog({ match: "PING_TIMEOUT", within: "0s" })).toBe("warn mqtt PING_TIMEOUT (-45)");
    expect(performance.now() - real).toBeLessThan(1500);
  });
});

describe("expectations", () => {
  it("look at what the board sent since the last action: an earlier message does not count", async () => {
    const s = await online("source");
    await s.advance("1s");
    await expect(s.expect({ topic: "{prefix}/status", payload: "online", within: "0s" })).rejects.toThrow(ScenarioFailure);
  });

  it("say what was expected and what the board sent on that topic", async () => {
    const s = await online("source");
    await s.publish("{prefix}/relay/pump/set", "ON", { qos: 1 });
    const err = await s.expect({ topic: "{prefix}/relay/pump/state", payload: "OFF", within: "2s" }).catch((e) => e);
    expect(err).toBeInstanceOf(ScenarioFailure);
    expect(err.summary).toBe('expected devices/esp32-01/relay/pump/state "OFF" within 2 s: not seen');
    expect(err.details[0]).toBe("on that topic since the last action:");
    expect(err.details[1]).toMatch(/^ {2}t=0\.000s devices\/esp32-01\/relay\/pump\/state "ON" qos 1 retained$/);
    // It waited the 2 s of board time it was given.
    expect(s.now()).toBe(2000);
  });

  it("expect-none fails at the message that breaks it", async () => {
    const s = await online("source");
    await s.input("door", { level: "low" });
    const err = await s.expectNone({ topic: "{prefix}/sensor/+/state", for: "5s" }).catch((e) => e);
    expect(err).toBeInstanceOf(ScenarioFailure);
    expect(err.message).toMatch(/t=0\.050s devices\/esp32-01\/sensor\/door\/state "1"/);
    expect(s.now()).toBe(50);
  });

  it("relays and pins cannot be expected of a board without power", async () => {
    const s = await online("source");
    await s.power("off");
    await expect(s.expectRelay({ pump: "off" })).rejects.toThrow(/the board is off/);
    await expect(s.power("off")).rejects.toThrow(/already off/);
  });
});

describe("actions", () => {
  it("wait lets real time pass and the board's clock with it", async () => {
    const s = await online("source");
    const before = s.now();
    await s.wait("150ms");
    expect(s.now() - before).toBe(150);
  });

  it("publishing with the broker stopped fails, naming the broker", async () => {
    const s = await online("source");
    await s.broker("stop");
    await expect(s.publish("{prefix}/relay/pump/set", "ON")).rejects.toThrow(/cannot publish to devices\/esp32-01\/relay\/pump\/set: the broker at mqtt:\/\/127\.0\.0\.1:\d+ took no connection/);
    await expect(s.broker("stop")).rejects.toThrow(/already stopped/);
  });

  it("link steps need a session started with link: true; inputs must suit the sensor", async () => {
    const s = await online("source");
    await expect(s.link("cut")).rejects.toThrow(/link: true/);
    await expect(s.input("door", { analog: 0.5 })).rejects.toThrow(/door is digital/);
    await expect(s.input("nope", { level: "low" })).rejects.toThrow(/no sensor nope: the board has door, light, water/);
    await expect(s.expectRelay({ nope: "on" })).rejects.toThrow(/no relay nope/);
  });

  it("the board features' actions and expectations say what they saw, and refuse what the board cannot do", async () => {
    sim = await startSession({ board: "scenarios/boards/features-board.json", mode: "source" });
    const s = sim;
    await s.expect({ topic: "{prefix}/status", payload: "online", within: "2s" });
    await s.expectLed("on", { within: "3s" });
    const led = await s.expectLed("no-wifi", { within: "2s" }).catch((e) => e);
    expect(led).toBeInstanceOf(ScenarioFailure);
    expect(led.summary).toBe("expected the status LED no-wifi within 2 s; it shows on");
    expect(led.details.at(-1)).toMatch(/led pin=D22 pattern=on$/);
    const pkt = await s.expectPacket({ type: "DISCONNECT", within: "1s" }).catch((e) => e);
    expect(pkt.summary).toBe("expected a DISCONNECT from the board within 1 s: not seen");
    await s.wifi("off");
    await expect(s.wifi("off")).rejects.toThrow(/the WiFi is already off/);
    await s.expectLed("no-wifi", { within: "3s" });
    // A press holds the button past its debounce, releases it, and lets the release pass the debounce too.
    const before = s.now();
    await s.press("b1");
    expect(s.now() - before).toBe(50 + 100 + 51);
    expect(s.relay("pump").on).toBe(true);
    await expect(s.press("b1", { for: "20ms" })).rejects.toThrow(/not longer than b1's debounce/);
    await expect(s.press("b9")).rejects.toThrow(/no button b9: the board has b1, b2, reset/);
    await expect(s.input("tank", { level: "low" })).rejects.toThrow(/tank is ds18b20: give it a value/);
    await expect(s.input("tank", { value: 200 })).rejects.toThrow(/a ds18b20 measures -55 to 125/);
  });

  it("bundle mode runs a given build when it was made from the session's board, and refuses one made from another", async () => {
    const dir = mkdtempSync(join(tmpdir(), "relaymq-session-bundle-"));
    const file = join(dir, "firmware.js");
    const { config, secrets } = loadSimBoard("board.json", {});
    writeFileSync(file, await builtFirmware(config));
    writeFileSync(sidecarPath(file), JSON.stringify(publicBoard(config, secrets)));
    await expect(startSession({ board: "scenarios/boards/pulse-board.json", mode: "bundle", bundleFile: file }))
      .rejects.toThrow(`${file} was built from another board than scenarios/boards/pulse-board.json: rebuild it (npm run build -- --board scenarios/boards/pulse-board.json), or let the simulator build it`);
    await expect(startSession({ board: "board.json", mode: "bundle", bundleFile: join(dir, "missing.js") }))
      .rejects.toThrow(`${join(dir, "missing.js")}: no such file; build it first: npm run build`);
    const s = await online("bundle", { bundleFile: file });
    expect(s.mode).toBe("bundle");
  });
});
