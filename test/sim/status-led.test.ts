// The status LED in the simulator, from the sources and as the built bundle in the Espruino shim: the
// pattern read off its pin follows the WiFi and broker state (connected: steady on; broker stopped: two
// blinks a second; access point gone: the fast blink; everything back: steady again).
import { describe, expect, it } from "vitest";
import { until } from "../support/wait";
import { startedEach } from "./board-features-harness";
import { ledPattern } from "../../sim/runner/led-observer";

describe("ledPattern reads the firmware's patterns off the light's changes", () => {
  it.each([
    ["no-wifi", [0, 100, 200, 300, 400, 500, 600, 700, 800, 900], false],
    ["no-broker", [100, 200, 300, 400, 1100], false],
    ["on", [], true],
    ["off", [-5000], false],
  ] as const)("%s", (want, changes, lit) => {
    expect(ledPattern(changes, 1000, lit)).toBe(want);
  });
});

describe.each(["source", "bundle"] as const)("status LED in the simulator, %s mode", (mode) => {
  const start = startedEach();

  it("follows WiFi and broker: steady on connected, double blink without broker, fast blink without WiFi", async () => {
    const s = await start(mode);
    const pattern = () => s.of("led").slice(-1)[0]?.pattern;
    await until(() => pattern() === "on", 4000, () => `steady on; led events ${JSON.stringify(s.of("led"))}`);
    await s.sim.restartBroker(async () => {
      await until(() => pattern() === "no-broker", 5000, () => `two blinks a second without the broker; ${JSON.stringify(s.of("led"))}`);
    });
    await until(() => s.board.isConnected(), 15000, "the board to reconnect");
    await until(() => pattern() === "on", 4000, "steady on again");
    s.board.wifi(false);
    await until(() => pattern() === "no-wifi", 5000, () => `the fast blink without WiFi; ${JSON.stringify(s.of("led"))}`);
    s.board.wifi(true);
    await until(() => pattern() === "on" || pattern() === "no-broker", 8000, "WiFi back");
    await until(() => s.board.isConnected() && pattern() === "on", 15000, () => `steady on after WiFi is back; ${JSON.stringify(s.of("led"))}`);
    // Only the patterns the firmware shows, each reported once it held a whole second.
    expect(new Set(s.of("led").map((e) => e.pattern))).toEqual(new Set(["on", "no-broker", "no-wifi"]));
    expect(s.of("led").every((e) => e.pin === "D2")).toBe(true);
  }, 60000);
});
