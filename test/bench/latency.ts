// Latency benchmark: a command published by another client -> the relay's pin changes on the virtual
// board, through the embedded aedes broker, all in this process over loopback TCP. One command at a
// time (the next goes out when the pin moved), alternating ON and OFF, 1,000 measured after a warm-up.
// The summary line is the source-mode board; the same board running the built bundle in the Espruino
// shim is measured in the same run and printed as a detail. Ends with: `latency: p50 A ms, p99 B ms, n 1000`.
import { resolve } from "node:path";
import type { DeviceConfig } from "../../firmware/device/config";
import { topicNames } from "../../firmware/device/topics";
import { bundleBoard } from "../../sim/build/bundle";
import { loadSimBoard } from "../../sim/cli/sim-board";
import { Simulator } from "../../sim/runner/simulator";
import { Peer } from "../support/mqtt-peer";
import { until } from "../support/wait";

const N = Number(process.env.BENCH_LATENCY_N ?? 1000);
const WARMUP = 100;

export interface LatencyFigures {
  n: number;
  min: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** percentile(sorted, p) -> the nearest-rank percentile of ascending values. */
export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** measureLatency(config, mode, bundle?) -> the figures of N commands to relay 0 of one board. */
export async function measureLatency(config: DeviceConfig, mode: "source" | "bundle", n: number, bundle?: string): Promise<LatencyFigures> {
  const sim = new Simulator({
    config,
    mode,
    bundle: bundle ? { source: bundle, file: "firmware.js" } : undefined,
    port: 0,
  });
  await sim.start();
  const board = sim.boards[0];
  const relay = config.relays[0];
  const names = topicNames(config);
  const peer = await Peer.connect(sim.broker.port);
  try {
    await until(() => board.isConnected(), 5000, "the board to connect");
    let changedAt = 0;
    let wake: (() => void) | null = null;
    board.bank.listen((pin, _level, source) => {
      if (source !== "write" || pin !== relay.pin) return;
      changedAt = performance.now();
      const w = wake;
      wake = null;
      if (w) w();
    });
    // The board subscribes right after CONNACK; until its SUBACK, commands are lost: repeat one until it works.
    const onLevel = !relay.activeLow;
    let polls = 0;
    await until(() => {
      if (polls++ % 10 === 0) peer.client.publish(names.relaySet[0], "ON", { qos: 0 });
      return board.bank.read(relay.pin) === onLevel;
    }, 5000, "the board to obey a first command");
    let on = false;
    const samples: number[] = [];
    for (let i = 0; i < WARMUP + n; i++) {
      let sentAt = 0;
      const moved = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`command ${i} did not move ${relay.pin} within 2 s`)), 2000);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      sentAt = performance.now();
      peer.client.publish(names.relaySet[0], on ? "ON" : "OFF", { qos: 0 });
      await moved;
      if (i >= WARMUP) samples.push(changedAt - sentAt);
      on = !on;
    }
    samples.sort((a, b) => a - b);
    return {
      n: samples.length,
      min: samples[0],
      p50: percentile(samples, 50),
      p90: percentile(samples, 90),
      p99: percentile(samples, 99),
      max: samples[samples.length - 1],
    };
  } finally {
    await peer.end(true);
    await sim.stop();
  }
}

const ms = (x: number) => x.toFixed(3);

export async function run(): Promise<string> {
  const { config } = loadSimBoard(resolve("board.json"), {});
  // Telemetry and analog sampling stay as in board.json: the board does its usual work meanwhile.
  const source = await measureLatency(config, "source", N);
  const bundled = await measureLatency(config, "bundle", N, await bundleBoard(config));
  for (const [name, f] of [["source", source], ["bundle", bundled]] as const) {
    process.stdout.write(`latency ${name}: min ${ms(f.min)} ms, p50 ${ms(f.p50)} ms, p90 ${ms(f.p90)} ms, ` +
      `p99 ${ms(f.p99)} ms, max ${ms(f.max)} ms, n ${f.n}\n`);
  }
  return `latency: p50 ${ms(source.p50)} ms, p99 ${ms(source.p99)} ms, n ${source.n}`;
}
