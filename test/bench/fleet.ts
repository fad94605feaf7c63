// Fleet benchmark: N virtual boards (source mode, one process) against mosquitto, each publishing
// telemetry every second, for a measured window. Telemetry is counted where it matters, at a subscriber
// on the broker (mosquitto_sub, in its own process); memory is the process's RSS growth from before the
// boards existed to the end of the window, per board, after a full collection (V8's heap and array
// buffers are printed too: RSS also holds pages V8 keeps). Knobs: BENCH_FLEET_DEVICES (2000), BENCH_FLEET_SECONDS (30).
// Ends with: `fleet: devices N, connected C, msgs/s M, rss per device K KB`.
import { resolve } from "node:path";
import v8 from "node:v8";
import vm from "node:vm";
import { spawn } from "node:child_process";
import type { DeviceConfig } from "../../firmware/device/config";
import { loadSimBoard } from "../../sim/cli/sim-board";
import { Simulator } from "../../sim/runner/simulator";
import { startMosquitto } from "../support/mosquitto";
import { sleep } from "../support/wait";

const DEVICES = Number(process.env.BENCH_FLEET_DEVICES ?? 2000);
const SECONDS = Number(process.env.BENCH_FLEET_SECONDS ?? 30);
const CONNECT_WAIT_MS = 120_000;

function rssKB(): number {
  return process.memoryUsage().rss / 1024;
}

/** Live JavaScript memory: V8's used heap plus memory outside it (array buffers, sockets' buffers). */
function liveKB(): number {
  const m = process.memoryUsage();
  return (m.heapUsed + m.external) / 1024;
}

// A full collection before each reading, so the figures are live memory rather than garbage not yet
// collected; tsx does not pass --expose-gc, so the flag is turned on here.
v8.setFlagsFromString("--expose-gc");
const collect = vm.runInNewContext("gc") as () => void;

function settle(): void {
  collect();
  collect();
}

export async function run(): Promise<string> {
  const board = loadSimBoard(resolve("board.json"), {}).config;
  const config: DeviceConfig = { ...board, telemetry: { periodSec: 1 } };
  const broker = await startMosquitto({ extra: ["max_connections -1", "max_queued_messages 1000"] });
  // The counter is measuring apparatus: it runs in its own process, so the figures are the boards' alone.
  const counter = spawn("mosquitto_sub", ["-p", String(broker.port), "-h", "127.0.0.1", "-t", "devices/+/telemetry", "-F", "%t"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let telemetry = 0;
  counter.stdout.on("data", (d: Buffer) => {
    for (const c of d) if (c === 10) telemetry++;
  });
  const counterFailed = new Promise<never>((_, reject) => {
    counter.on("error", (e) => reject(new Error(`mosquitto_sub: ${e.message} (Debian: apt-get install mosquitto-clients)`)));
  });
  await Promise.race([sleep(300), counterFailed]);
  settle();
  const rss0 = rssKB();
  const live0 = liveKB();
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
    const livePerDevice = (liveKB() - live0) / DEVICES;
    const connected = sim.connected();
    process.stdout.write(
      `fleet: ${window.toFixed(1)} s window, telemetry received ${telemetry - start} (expected ~${Math.round(DEVICES * window)}), ` +
        `fewest connected ${minConnected}, rss ${Math.round(rssKB() / 1024)} MB (was ${Math.round(rss0 / 1024)} MB), ` +
        `V8 heap + buffers ${livePerDevice.toFixed(1)} KB per board\n`,
    );
    return `fleet: devices ${DEVICES}, connected ${connected}, msgs/s ${Math.round(rate)}, rss per device ${perDevice.toFixed(1)} KB`;
  } finally {
    await sim.stop();
    counter.kill();
    await broker.close();
  }
}
