// The fuzz run's detectors catch what they are for: each test breaks the engine or the device on purpose
// (a patched prototype, put back afterwards) and runs fixed-seed streams through the real targets; the
// run must report it. Without the break the same streams report nothing (run.test.ts).
import { describe, it, expect, afterEach } from "vitest";
import { Relays } from "../../firmware/device/relays";
import { MqttClient } from "../../firmware/mqtt/client";
import { Decoder } from "../../firmware/mqtt/decoder";
import { streamAt, runStream, TARGETS, type Target } from "./targets";
import type { StreamResult } from "./report";

const SEED = 99;

/** run(target, n) -> the sums over the first n streams of that target. */
function run(target: Target, n: number): { escapes: string[]; wrongWrites: number; details: string[] } {
  const out = { escapes: [] as string[], wrongWrites: 0, details: [] as string[] };
  const t = TARGETS.indexOf(target);
  for (let k = 0; k < n; k++) {
    const { stream } = streamAt(SEED, k * TARGETS.length + t);
    const r: StreamResult = runStream(target, stream);
    out.escapes.push(...r.escapes);
    out.wrongWrites += r.wrongWrites;
    out.details.push(...r.details);
  }
  return out;
}

const undo: Array<() => void> = [];
function patch<T extends object, K extends keyof T>(proto: T, name: K, impl: T[K]): void {
  const was = proto[name];
  proto[name] = impl;
  undo.push(() => {
    proto[name] = was;
  });
}
afterEach(() => {
  while (undo.length > 0) undo.pop()!();
});

type AnyFn = (...args: any[]) => any;
const relays = Relays.prototype as unknown as Record<string, AnyFn>;
const client = MqttClient.prototype as unknown as Record<string, AnyFn>;
const decoder = Decoder.prototype as unknown as Record<string, AnyFn>;

describe("the fuzz run's detectors", () => {
  it("the unbroken targets report nothing on these streams", () => {
    for (const t of TARGETS) expect(run(t, 60), t).toEqual({ escapes: [], wrongWrites: 0, details: [] });
  });

  it("a TOGGLE that only ever switches on: wrong relay writes", () => {
    patch(relays, "toggle", function (this: Relays, i: number) {
      return this.set(i, true);
    });
    const r = run("device", 150);
    expect(r.wrongWrites).toBeGreaterThan(0);
    expect(r.details[0]).toMatch(/^device: wrong relay writes \(\d+\): pin writes \[.*\] fit no reading of the packets at step/);
  });

  it("an ON that ignores its interlock group: wrong relay writes", () => {
    const set = relays.set;
    patch(relays, "set", function (this: { group: Int16Array }, i: number, on: boolean) {
      // The relay's group forgotten for this one ON.
      const g = this.group[i];
      if (on) this.group[i] = -1;
      try {
        return set.call(this, i, on);
      } finally {
        this.group[i] = g;
      }
    });
    expect(run("device", 150).wrongWrites).toBeGreaterThan(0);
  });

  it("a client that keeps the link after a malformed packet: an escape naming the rule", () => {
    patch(client, "onDecodeError", function () {});
    const r = run("client", 60);
    expect(r.escapes.some((e) => /^client: link: kept the link after a packet that must close it \(.+\)/.test(e)), r.escapes.join("\n")).toBe(true);
  });

  it("a client that grows a list per packet: an escape for growth", () => {
    // The client's bytes go to its decoder's feed (bound when the client is made, after this patch).
    const feed = decoder.feed;
    patch(decoder, "feed", function (this: Record<string, unknown>, buf: Uint8Array, off: number, len: number) {
      ((this.seen ??= []) as number[]).push(len);
      return feed.call(this, buf, off, len);
    });
    const r = run("client", 20);
    expect(r.escapes.some((e) => /^client: grew: it holds \d+ JsVars more than after start-up/.test(e)), r.escapes.join("\n")).toBe(true);
  });

  it("a decoder that counts one byte too many of an unfinished packet: an escape", () => {
    const pending = decoder.pending;
    patch(decoder, "pending", function (this: Decoder) {
      const n = pending.call(this) as number;
      return n > 0 ? n + 1 : n;
    });
    const r = run("decoder", 60);
    expect(r.escapes.some((e) => /pending\(\) \d+ where the stream has \d+ bytes of an unfinished packet/.test(e)), r.escapes.join("\n")).toBe(true);
  });

  it("a decoder that throws: an escape naming the call", () => {
    const feed = decoder.feed;
    patch(decoder, "feed", function (this: Decoder, src: Uint8Array, off: number, len: number) {
      if (len === 3) throw new RangeError("three bytes");
      return feed.call(this, src, off, len);
    });
    const r = run("decoder", 60);
    expect(r.escapes.some((e) => e.includes("feed threw: RangeError: three bytes")), r.escapes.join("\n")).toBe(true);
  });
});
