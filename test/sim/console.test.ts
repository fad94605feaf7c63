// Console commands in the simulator, from the sources and as the built bundle in the Espruino shim,
// through the broker as a user sends them: cmd/status answers with every field, cmd/restart publishes
// offline without the will and the board comes back, PULSE <ms> is a timed pulse, telemetry <sec> is kept.
import { describe, expect, it } from "vitest";
import { sleep, until } from "../support/wait";
import { startedEach } from "./board-features-harness";
import { firmwareInfo } from "../../sim/build/firmware-info";
import { SIM_IP, SIM_RSSI } from "../../sim/platform/node-system";

describe.each(["source", "bundle"] as const)("console commands in the simulator, %s mode", (mode) => {
  const start = startedEach();

  it("cmd/status answers on <prefix>/info with every field", async () => {
    const s = await start(mode);
    await s.peer.subscribe({ "feat-01/#": 1, "devices/feat-01/#": 1 });
    await s.peer.publish("devices/feat-01/relay/pump/set", "ON", 1);
    await s.peer.publish("devices/feat-01/cmd/status", "", 1);
    const m = await s.peer.waitMessage("devices/feat-01/info", 3000);
    const doc = JSON.parse(m.payload);
    expect(Object.keys(doc)).toEqual([
      "uptime", "free", "rssi", "ip", "relays", "sensors", "mqtt", "version", "linkError", "telemetrySec", "lastError",
    ]);
    expect(doc).toMatchObject({
      version: firmwareInfo().version, rssi: SIM_RSSI, ip: SIM_IP, relays: { pump: "ON", valve1: "OFF", valve2: "OFF" },
      sensors: {}, telemetrySec: 60, lastError: null,
    });
    expect(doc.free).toBeGreaterThan(0);
    expect(doc.mqtt.connects).toBe(1);
    expect(m.retain).toBe(false);
  });

  it("cmd/restart: offline (retained) without the will, DISCONNECT, then the board boots and is online again", async () => {
    const s = await start(mode);
    await s.peer.subscribe({ [s.topics.status]: 1 });
    await s.peer.publish("devices/feat-01/cmd/restart", "", 1);
    await until(() => s.of("stopped").some((e) => e.how === "reboot"), 4000, "the reboot");
    const out = s.of("packet").filter((e) => e.dir === "out").map((e) => e.packet);
    expect(out.slice(-2)).toMatchObject([{ type: "PUBLISH", topic: s.topics.status, payload: "offline", retain: true }, { type: "DISCONNECT" }]);
    await until(() => s.of("boot").length === 2 && s.board.isConnected(), 8000, "boot and connect again");
    const status = () => s.peer.messages.filter((m) => m.topic === s.topics.status).map((m) => m.payload);
    await until(() => status().length >= 3, 3000, () => JSON.stringify(status()));
    await sleep(200);
    expect(status()).toEqual(["online", "offline", "online"]);
  });

  it("PULSE <ms> on a relay: on, then off after ms; an unknown command is refused on <prefix>/error", async () => {
    const s = await start(mode);
    await s.peer.subscribe({ "devices/feat-01/error": 0 });
    await s.peer.publish(s.topics.relaySet[1], "PULSE 400", 1);
    await until(() => s.board.bank.read("D27"), 2000, "valve1 on");
    const on = performance.now();
    await until(() => !s.board.bank.read("D27"), 2000, "valve1 off");
    expect(performance.now() - on).toBeGreaterThanOrEqual(300);
    await s.peer.publish("devices/feat-01/cmd/selfdestruct", "now", 1);
    const e = await s.peer.waitMessage("devices/feat-01/error", 3000);
    expect(JSON.parse(e.payload)).toEqual({ topic: "devices/feat-01/cmd/selfdestruct", reason: "unknown command", payload: "now" });
    expect(s.of("error").some((x) => x.what === "refused")).toBe(true);
  });

  it("telemetry <sec>: the period changes now and survives the restart (Storage)", async () => {
    const s = await start(mode);
    await s.peer.subscribe({ [s.topics.telemetry]: 0, "devices/feat-01/info": 0 });
    await s.peer.publish("devices/feat-01/cmd/telemetry", "1", 1);
    expect(JSON.parse((await s.peer.waitMessage("devices/feat-01/info", 3000)).payload).telemetrySec).toBe(1);
    await until(() => s.peer.messages.filter((m) => m.topic === s.topics.telemetry).length >= 2, 4000, "telemetry every second");
    expect(s.board.files.get("telemetry_sec")).toBe("1");
    await s.peer.publish("devices/feat-01/cmd/restart", "", 1);
    await until(() => s.of("boot").length === 2 && s.board.isConnected(), 8000, "boot and connect again");
    const before = s.peer.messages.filter((m) => m.topic === s.topics.telemetry).length;
    await until(() => s.peer.messages.filter((m) => m.topic === s.topics.telemetry).length >= before + 2, 4000, "still every second");
  }, 20000);
});
