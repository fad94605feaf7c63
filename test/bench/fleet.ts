// Fleet benchmark: N virtual boards (source mode, one process) against mosquitto, each publishing
// telemetry every second, for a measured window. Telemetry is counted where it matters, at a subscriber
// on the broker; memory is the process's RSS growth from before the boards existed to the end of the
// window, per board. Knobs: BENCH_FLEET_DEVICES (2000), BENCH_FLEET_SECONDS (30).
// Ends with: `fleet: devices N, connected C, msgs/s M, rss per device K KB`.
import { resolve } from "node:path";
import type { DeviceConfig } from "../../firmware/device/config";
import { loadSimBoard } from "../../sim/cli/sim-board";
import { Simulator } from "../../sim/runner/simulator";
import { startMosquitto } from "../support/mosquitto";
import { Peer } from "../support/mqtt-peer";
import { sleep } from "../support/wait";

const DEVICES = Number(process.env.BENCH_FLEET_DEVICES ?? 2000);
const SECONDS = Number(process.env.BENCH_FLEET_SECONDS ?? 30);
const CONNECT_WAIT_MS = 120_000;

function rssKB(): number {
  return process.memoryUsage().rss / 1024;
}

function settle(): void {
  // --expose-gc is not on under tsx; without it the figures include garbage not yet collected (higher).
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) gc();
}

export async function run(): Promise<string> {
  const board = loadSimBoard(resolve("board.json"), {}).config;
  const config: DeviceConfig = { ...board, telemetry: { periodSec: 1 } };
  const broker = await startMosquitto({ extra: ["max_connections -1", "max_queued_messages 1000"] });
  const counter = await Peer.connect(broker.port, { clientId: "fleet-counter" });
  let telemetry = 0;
  counter.client.on("message", (topic) => {
    if (topic.endsWith("/telemetry")) telemetry++;
  });
  await counter.subscribe({ "devices/+/telemetry": 0 });
  settle();
  const rss0 = rssKB();
  const sim = new Simulator({ config, mode: "source", broker: { host: "127.0.0.1", port: broker.port }, devices: DEVICES });
  const t0 = performance.now();
  try {
    await sim.start();
    const deadline = performance.now() + CONNECT_WAIT_MS;
    while (sim.connected() < DEVICES && performance.now() < deadline) await sleep(100);
    const upMs = performance.now() - t0;
    process.stdout.write(`fleet: ${sim.connected()} of ${DEVICES} boards connected in ${(upMs / 1000).toFixed(1)} s\n`);
    const start = telemetry;
    const startAt = performance.now();
    let minConnected = sim.connected();
    for (let s = 0; s < SECONDS; s++) {
      await sleep(1000);
      minConnected = Math.min(minConnected, sim.connected());
    }
    const window = (performance.now() - startAt) / 1000;
    const rate = (telemetry - start) / window;
    settle();
    const perDevice = (rssKB() - rss0) / DEVICES;
    const connected = sim.connected();
    process.stdout.write(
      `fleet: ${window.toFixed(1)} s window, telemetry received ${telemetry - start} (expected ~${Math.round(DEVICES * window)}), ` +
        `fewest connected ${minConnected}, rss ${Math.round(rssKB() / 1024)} MB (was ${Math.round(rss0 / 1024)} MB)\n`,
    );
    return `fleet: devices ${DEVICES}, connected ${connected}, msgs/s ${Math.round(rate)}, rss per device ${perDevice.toFixed(1)} KB`;
  } finally {
    await sim.stop();
    await counter.end(true);
    await broker.close();
  }
}
