// The real firmware, built as `npm run build` builds it (minified, board.json embedded), running in the
// Espruino API shim against an aedes broker: it announces itself, obeys a relay command on the pin bank,
// and on relaymqStop() says "offline" and disconnects cleanly (so the broker never publishes the will);
// kill() (what reset() does) drops the socket, and the broker publishes the will.
import { describe, it, expect, afterEach } from "vitest";
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import mqtt from "mqtt";
import { bundleBoard } from "../../sim/build/bundle";
import { parseBoard } from "../../sim/board/load";
import { startAedes } from "../../sim/broker/embedded";
import { until } from "../support/wait";
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
