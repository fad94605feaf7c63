// The oracle for relay pins under fuzzing: from the packets a device received (as frames.ts reads them),
// what may its relay pins have done? It follows every reading the rules leave open at once (a set of
// branches: relay states and whether the link is still up), and checks after each data event that the
// pin writes seen are exactly the writes of one branch.
//
// The rule set (what the device's documentation and firmware/device say, for a board without pulse or
// fail-safe relays):
// - A command is a PUBLISH the client takes (QoS 0 or 1, not larger than the receive buffer) whose topic is
//   exactly a relay's set topic, without RETAIN (unless acceptRetained), with at most maxPayload bytes
//   that are, once spaces, tabs, CR and LF around them are dropped, ON, OFF, TOGGLE (any ASCII case), 1 or 0.
//   Anything else changes no relay.
// - ON first turns the other relays of its interlock group off (in configuration order), then its own;
//   OFF turns it off; TOGGLE is ON when off, else OFF. A pin is written only when its relay changes: the
//   level is `on` for an active-high relay and `!on` for an active-low one.
// - After a packet that must close the link, nothing more on that connection is taken; where the
//   receiver may choose (frames.ts: EITHER), both readings stay open.
// - A QoS 1 command with DUP set whose packet id an earlier command of the stream carried may be applied
//   or not (a redelivery of something already applied may be dropped; issue 10, point 8).
import type { RelayConfig } from "../../firmware/device/config";
import { KILL, EITHER, type Verdict } from "./frames";

export interface PinWrite {
  pin: string;
  level: boolean;
}

export interface CommandRules {
  /** Relay i's set topic, as bytes. */
  setTopics: Uint8Array[];
  maxPayload: number;
  acceptRetained: boolean;
}

export const CMD_ON = 1;
export const CMD_OFF = 2;
export const CMD_TOGGLE = 3;

const isSpace = (b: number) => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;

/** commandWord(payload) -> CMD_ON, CMD_OFF, CMD_TOGGLE or 0, by the documented rule above. */
export function commandWord(p: Uint8Array): number {
  let a = 0;
  let e = p.length;
  while (a < e && isSpace(p[a])) a++;
  while (e > a && isSpace(p[e - 1])) e--;
  let w = "";
  for (let i = a; i < e; i++) {
    const b = p[i];
    w += String.fromCharCode(b >= 0x61 && b <= 0x7a ? b - 0x20 : b);
  }
  if (w === "ON" || w === "1") return CMD_ON;
  if (w === "OFF" || w === "0") return CMD_OFF;
  return w === "TOGGLE" ? CMD_TOGGLE : 0;
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** What went wrong in one data event. */
export interface Finding {
  kind: "wrong relay writes" | "link";
  /** Wrong writes: pin writes seen but not asked for plus writes asked for but not seen (the fewest any reading gives). */
  count: number;
  detail: string;
}

interface State {
  bits: number;
  alive: boolean;
  pos: number;
  /** The writes of this path (only while enumerating candidates for a report). */
  writes?: PinWrite[];
}

export class RelayOracle {
  private readonly pins: string[];
  private readonly activeLow: boolean[];
  private readonly group: number[];
  /** Possible (relay bits, link up) pairs, as bits * 2 + (up ? 1 : 0). */
  private branches = new Set<number>();
  /** Packet ids of QoS 1 commands seen in this stream (for the redelivery rule). */
  private readonly commandIds = new Set<number>();

  /** new RelayOracle(relays, rules, bits): bits has bit i set when relay i is on now. */
  constructor(relays: RelayConfig[], private readonly rules: CommandRules, bits: number) {
    this.pins = relays.map((r) => r.pin);
    this.activeLow = relays.map((r) => r.activeLow);
    const names: string[] = [];
    this.group = relays.map((r) => {
      if (r.interlock === null) return -1;
      if (names.indexOf(r.interlock) < 0) names.push(r.interlock);
      return names.indexOf(r.interlock);
    });
    this.branches.add(bits * 2);
  }

  /** opened(): a session began (CONNACK accepted): every reading has the link up. */
  opened(): void {
    this.retag(true);
  }

  /** closed(): the link went down outside a data event (the broker cut it, keep alive gave up). */
  closed(): void {
    this.retag(false);
  }

  /**
   * event(verdicts, writes, upAfter, observedBits) -> null, or what no reading explains: the packets that
   * the data event completed (in order), the pin writes made during it, whether the link was still up
   * after it, and the relay states the pins show now (to carry on from after a finding).
   */
  event(verdicts: Verdict[], writes: PinWrite[], upAfter: boolean, observedBits: number): Finding | null {
    const ends = this.walk(verdicts, writes);
    const fit = ends.filter((s) => s.pos === writes.length && s.alive === upAfter);
    for (const v of verdicts) {
      const c = this.command(v);
      if (c !== null && v.publish!.qos === 1) this.commandIds.add(v.publish!.packetId);
    }
    if (fit.length > 0) {
      this.branches = new Set(fit.map((s) => s.bits * 2 + (s.alive ? 1 : 0)));
      return null;
    }
    const writesFit = ends.filter((s) => s.pos === writes.length);
    if (writesFit.length > 0) {
      this.branches = new Set(writesFit.map((s) => s.bits * 2 + (upAfter ? 1 : 0)));
      const killed = verdicts.filter((v) => v.link === KILL).map((v) => v.why);
      return {
        kind: "link", count: 0,
        detail: upAfter ? `kept the link after a packet that must close it (${killed.join("; ")})` : "closed the link on packets that are all valid",
      };
    }
    const count = this.fewestWrong(verdicts, writes);
    this.branches = new Set([observedBits * 2 + (upAfter ? 1 : 0)]);
    return { kind: "wrong relay writes", count, detail: "pin writes " + show(writes) + " fit no reading of the packets" };
  }

  // Every (state, position in `writes`) each branch can reach through the packets, matching the writes seen.
  private walk(verdicts: Verdict[], writes: PinWrite[] | null): State[] {
    let states: State[] = [...this.branches].map((k) => ({ bits: k >> 1, alive: (k & 1) === 1, pos: 0, writes: writes ? undefined : [] }));
    const ids = new Set(this.commandIds);
    for (const v of verdicts) {
      const c = this.command(v);
      const p = v.publish;
      const redelivery = c !== null && p!.dup && p!.qos === 1 && ids.has(p!.packetId);
      if (c !== null && p!.qos === 1) ids.add(p!.packetId);
      const next: State[] = [];
      const seen = new Set<string>();
      const add = (s: State) => {
        const key = s.bits + ":" + s.alive + ":" + s.pos + (s.writes ? ":" + show(s.writes) : "");
        if (!seen.has(key) && next.length < 256) {
          seen.add(key);
          next.push(s);
        }
      };
      for (const s of states) {
        if (!s.alive) {
          add(s);
          continue;
        }
        if (v.link === KILL) {
          add({ ...s, alive: false });
          continue;
        }
        if (v.link === EITHER) add({ ...s, alive: false });
        if (c === null) {
          add(s);
          continue;
        }
        const out: PinWrite[] = [];
        const bits = this.apply(s.bits, c.relay, c.cmd, out);
        if (writes === null) add({ bits, alive: true, pos: 0, writes: [...s.writes!, ...out] });
        else if (matches(writes, s.pos, out)) add({ bits, alive: true, pos: s.pos + out.length });
        if (redelivery) add(s);
      }
      states = next;
    }
    return states;
  }

  // The fewest wrong writes any reading gives: writes seen and not asked for, plus asked for and not seen.
  private fewestWrong(verdicts: Verdict[], writes: PinWrite[]): number {
    let best = Infinity;
    for (const s of this.walk(verdicts, null)) {
      const e = s.writes!;
      best = Math.min(best, writes.length + e.length - 2 * lcs(writes, e));
    }
    return Math.max(1, best === Infinity ? writes.length : best);
  }

  private command(v: Verdict): { relay: number; cmd: number } | null {
    const p = v.publish;
    if (v.link === KILL || p === null || p.payload === null || p.qos > 1) return null;
    const r = this.rules;
    const relay = r.setTopics.findIndex((t) => same(t, p.topic));
    if (relay < 0 || p.payload.length > r.maxPayload || (p.retain && !r.acceptRetained)) return null;
    const cmd = commandWord(p.payload);
    return cmd === 0 ? null : { relay, cmd };
  }

  // Relays.set(): the new bits, and the pin writes it makes, in order.
  private apply(bits: number, i: number, cmd: number, out: PinWrite[]): number {
    const on = cmd === CMD_ON || (cmd === CMD_TOGGLE && (bits & (1 << i)) === 0);
    if (on && this.group[i] >= 0) {
      for (let j = 0; j < this.pins.length; j++) {
        if (j !== i && this.group[j] === this.group[i] && (bits & (1 << j)) !== 0) bits = this.change(bits, j, false, out);
      }
    }
    return this.change(bits, i, on, out);
  }

  private change(bits: number, i: number, on: boolean, out: PinWrite[]): number {
    if (((bits & (1 << i)) !== 0) === on) return bits;
    out.push({ pin: this.pins[i], level: on !== this.activeLow[i] });
    return bits ^ (1 << i);
  }

  private retag(up: boolean): void {
    this.branches = new Set([...this.branches].map((k) => (k & ~1) | (up ? 1 : 0)));
  }
}

function matches(seen: PinWrite[], at: number, expected: PinWrite[]): boolean {
  if (at + expected.length > seen.length) return false;
  for (let k = 0; k < expected.length; k++) {
    if (seen[at + k].pin !== expected[k].pin || seen[at + k].level !== expected[k].level) return false;
  }
  return true;
}

function lcs(a: PinWrite[], b: PinWrite[]): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = a[i - 1].pin === b[j - 1].pin && a[i - 1].level === b[j - 1].level ? d[i - 1][j - 1] + 1 : Math.max(d[i - 1][j], d[i][j - 1]);
    }
  }
  return d[a.length][b.length];
}

/** show(writes) -> "[D26=0 D27=1]". */
export function show(writes: PinWrite[]): string {
  return "[" + writes.map((w) => w.pin + "=" + (w.level ? 1 : 0)).join(" ") + "]";
}
