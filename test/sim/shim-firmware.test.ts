// The real firmware, built as `npm run build` builds it (minified, board.json embedded), running in the
// Espruino API shim against an aedes broker: it announces itself, obeys a relay command on the pin bank,
// and on relaymqStop() says "offline" and disconnects cleanly (so the broker never publishes the will);
// kill() (what reset() does) drops the socket, and the broker publishes the will.
import { describe, it, expect, afterEach } from "vitest";
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import net from "node:net";
import mqtt from "mqtt";
import { bundleBoard } from "../../sim/build/bundle";
import type { DeviceConfig } from "../../firmware/device/config";
import { parseBoard } from "../../sim/board/load";
import { startAedes } from "../../sim/broker/embedded";
import { sleep, until } from "../support/wait";
import { haltShimBoards, shimBoard } from "./shim-harness";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const STATUS = "devices/esp32-01/status";
/** MQTT DISCONNECT: the last bytes of a clean goodbye. */
const DISCONNECT = [0xe0, 0x00];

let cleanups: (() => unknown)[] = [];
afterEach(async () => {
  // The board first, then the peer, then the broker.
  haltShimBoards();
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

/** retained(port, topic) -> the payload a fresh subscriber gets as the retained message on topic. */
async function retained(port: number, topic: string): Promise<string> {
  const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { protocolVersion: 4, reconnectPeriod: 0 });
  try {
    let got: string | null = null;
    c.on("message", (t, payload, packet) => {
      if (t === topic && packet.retain) got = payload.toString();
    });
    await c.subscribeAsync(topic, { qos: 1 });
    await until(() => got !== null, 3000, `the retained message on ${topic}`);
    return got!;
  } finally {
    await c.endAsync(true);
  }
}

/**
 * firmwareBoard(subscription) -> the firmware bundled as `npm run build` bundles it (board.json's config
 * embedded), a fresh aedes broker, an MQTT.js peer subscribed to `subscription` whose messages land in
 * `seen`, and a powered shim (no program yet: the test runs `source`) whose every connect goes to that
 * broker, with each byte the board sends in `out` and each address it dials in `dialled`.
 */
async function firmwareBoard(subscription: string) {
  const { config } = parseBoard(readFileSync(resolve(root, "board.json"), "utf8"), { WIFI_PASSWORD: "x", MQTT_PASSWORD: "y" });
  const source = await bundleBoard(config);
  const broker = await startAedes();
  cleanups.push(() => broker.close());

  const peer = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, { protocolVersion: 4, reconnectPeriod: 0 });
  cleanups.push(() => peer.endAsync(true));
  const seen: { topic: string; payload: string }[] = [];
  peer.on("message", (topic, payload) => seen.push({ topic, payload: payload.toString() }));
  await peer.subscribeAsync(subscription, { qos: 1 });

  const out: number[] = [];
  const dialled: string[] = [];
  const { shim, bank, lines } = shimBoard({
    // board.json names 127.0.0.1:1883; the simulator's broker is elsewhere.
    route: () => ({ host: "127.0.0.1", port: broker.port, tls: null }),
    tap: (dir, bytes) => {
      if (dir === "out") out.push(...bytes);
    },
    onSocket: (event, to) => {
      if (event === "connect") dialled.push(to);
    },
  });
  return { config, source, broker, peer, seen, shim, bank, lines, out, dialled };
}

describe("the built firmware in the shim", () => {
  it("comes online, drives the pump pin on a command, and says offline on relaymqStop() without the will", async () => {
    const { config, source, broker, peer, seen, shim, bank, lines, out, dialled } = await firmwareBoard("devices/esp32-01/#");
    shim.run(source, "firmware.js");

    // The relays take their power-on state at once: pump off, and activeLow means HIGH.
    expect(bank.modeOf("D26")).toBe("output");
    expect(bank.read("D26")).toBe(true);

    const state = () => `console: ${JSON.stringify(lines)}; seen: ${JSON.stringify(seen.slice(-10))}`;
    await until(() => seen.some((m) => m.topic === STATUS && m.payload === "online"), 10000, () => `online; ${state()}`);
    expect(await retained(broker.port, STATUS)).toBe("online");
    expect(dialled).toEqual([`${config.mqtt.host}:${config.mqtt.port}`]);

    await until(() => seen.some((m) => m.topic === "devices/esp32-01/relay/pump/state"), 5000, () => `pump state; ${state()}`);
    await peer.publishAsync("devices/esp32-01/relay/pump/set", "ON", { qos: 1 });
    await until(() => bank.read("D26") === false, 5000, () => `D26 LOW; ${state()}`);
    await until(() => seen.some((m) => m.topic === "devices/esp32-01/relay/pump/state" && m.payload === "ON"), 5000, () => `pump ON; ${state()}`);

    expect(shim.call("relaymqStop")).toBe(true);
    await until(() => seen.some((m) => m.topic === STATUS && m.payload === "offline"), 5000, () => `offline; ${state()}`);
    await until(() => shim.openSockets === 0, 5000, "the board's socket to close");
    expect(out.slice(-2)).toEqual(DISCONNECT);
    expect(await retained(broker.port, STATUS)).toBe("offline");
    // The board said it itself and left cleanly: exactly one "offline", no will after it.
    expect(seen.filter((m) => m.topic === STATUS).map((m) => m.payload)).toEqual(["online", "offline"]);
    expect(lines.filter((l) => l.startsWith("Uncaught"))).toEqual([]);

    shim.halt();
    expect(shim.openSockets).toBe(0);
  }, 30000);

  it("a broker refusing CONNACK 5: the first CONNECT leaves after the Wifi join, and no retry cuts the long backoff", async () => {
    const { config } = parseBoard(readFileSync(resolve(root, "board.json"), "utf8"), { WIFI_PASSWORD: "x", MQTT_PASSWORD: "y" });
    const source = await bundleBoard(config);
    const connects: number[] = [];
    // CONNACK, return code 5 (not authorized), to every CONNECT.
    const srv = net.createServer((c) => {
      c.on("data", (d) => {
        if (d[0] === 0x10) {
          connects.push(Date.now());
          c.write(Buffer.from([0x20, 0x02, 0x00, 0x05]));
        }
      });
      c.on("error", () => {});
    });
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
    cleanups.push(() => new Promise<void>((r) => srv.close(() => r())));
    const port = (srv.address() as net.AddressInfo).port;
    const life: string[] = [];
    const { shim, lines } = shimBoard({
      wifiJoined: false,
      wifiDelayMs: 200,
      route: () => ({ host: "127.0.0.1", port, tls: null }),
      onSocket: (event, _to, detail) => life.push(detail === undefined ? event : `${event} ${detail}`),
    });
    const booted = Date.now();
    shim.run(source, "firmware.js");
    await until(() => connects.length === 1, 10000, () => `the first CONNECT; ${JSON.stringify(lines)}`);
    // Nothing is tried before the join: the board's first socket is the one that reaches the broker.
    expect(connects[0] - booted).toBeGreaterThanOrEqual(200);
    expect(life[0]).toBe("connect");
    await sleep(2000);
    // The refusal waits at least reconnectMaxMs / 2 (30 s); neither the join nor anything else cut it.
    expect(connects.length).toBe(1);
    expect(lines.filter((l) => l.startsWith("Uncaught"))).toEqual([]);
  }, 30000);

  it("a device that cannot start still drives every relay to its power-on state, says why, and keeps running", async () => {
    const { config } = parseBoard(readFileSync(resolve(root, "board.json"), "utf8"), { WIFI_PASSWORD: "x", MQTT_PASSWORD: "y" });
    // What the build refuses, forced in: the client throws in `new Device` (keep alive over 65,535).
    const bad = { ...config, mqtt: { ...config.mqtt, keepAlive: 70000 },
      relays: config.relays.map((r, i) => (i === 1 ? { ...r, powerOn: "on" } : r)) };
    const source = await bundleBoard(bad as DeviceConfig);
    const { shim, bank, lines } = shimBoard({ wifiJoined: false });
    shim.run(source, "firmware.js");
    for (const r of bad.relays) {
      expect(bank.modeOf(r.pin), r.name).toBe("output");
      // Active-low modules: LOW is on.
      expect(bank.read(r.pin), r.name).toBe(r.powerOn !== "on");
    }
    expect(lines).toEqual([expect.stringMatching(/^relaymq error start failed: invalid MQTT connect options: code -16; relays at power-on state, retrying in 30 s$/)]);
    await sleep(300);
    expect(lines.filter((l) => l.startsWith("Uncaught"))).toEqual([]);
    expect(shim.openSockets).toBe(0);
  }, 30000);

  it("kill() (what reset() does) drops the socket without DISCONNECT: the broker publishes the will", async () => {
    const { source, seen, shim, out } = await firmwareBoard(STATUS);
    shim.run(source + 'E.on("kill", function () { relaymqStop(); });', "firmware.js");
    await until(() => seen.some((m) => m.topic === STATUS && m.payload === "online"), 10000, "online");
    const sent = out.length;
    shim.kill();
    expect(shim.openSockets).toBe(0);
    // What the kill handler wrote never left: the "offline" that arrives is the will.
    expect(out.length).toBe(sent);
    await until(() => seen.some((m) => m.topic === STATUS && m.payload === "offline"), 5000, "the will");
  }, 30000);
});
