// The soak's judge: from what the board's socket carried and what its relay pins did, in the order it
// happened, which commands were lost or applied twice.
//
// Each command carries its number k in the whitespace after its word ("OFF" then ten characters from
// " ", "\t", "\r", "\n": k in base 4), which the board ignores; commands for one relay alternate ON and
// OFF, so every command applied in order switches its relay. The board handles its PUBLISH packets one at
// a time and in order, each with at most one pin write (the soak board has no interlock) before the
// PUBACK it sends for it. So a write on a relay belongs to the oldest command PUBLISH of the connection for
// that relay that has neither written nor been acknowledged yet (a "delivery").
//
// - A command is accepted when the broker acknowledged it to the commander (PUBACK).
// - Lost: an accepted command no delivery of which the board handled (acknowledged, or wrote a pin for),
//   or whose relay was not in the asked state once its first handled delivery was done.
// - Duplicated: an accepted command a later delivery of which switched its relay again.
// - Unexplained: a relay switched with no delivery being handled, or for another relay than that delivery's.
// The board's own acknowledgement is what "handled" means, so a delivery cut off before the board read it
// counts for nothing, and the broker owes it again.

const DIGITS = [" ", "\t", "\r", "\n"];
const WIDTH = 10;

/** commandPayload(word, k) -> word and k in base 4 as ten whitespace characters (k < 4^10). */
export function commandPayload(word: "ON" | "OFF", k: number): string {
  let s = "";
  for (let i = 0; i < WIDTH; i++) {
    s += DIGITS[k & 3];
    k >>= 2;
  }
  return word + s;
}

/** commandNumber(payload) -> [word, k] of a payload commandPayload made, or null. */
export function commandNumber(payload: string): ["ON" | "OFF", number] | null {
  const m = /^(ON|OFF)([ \t\r\n]{10})$/.exec(payload);
  if (!m) return null;
  let k = 0;
  for (let i = WIDTH - 1; i >= 0; i--) k = k * 4 + DIGITS.indexOf(m[2][i]);
  return [m[1] as "ON" | "OFF", k];
}

interface Delivery {
  /** The board's connection it came on (1, 2, ...). */
  conn: number;
  k: number;
  relay: number;
  on: boolean;
  packetId: number;
  acked: boolean;
  writes: number;
  /** The relay's state once this delivery was done: what it wrote, or the state at its PUBACK. */
  after: boolean | null;
}

export interface Verdict {
  accepted: number;
  lost: number[];
  duplicated: number[];
  /** Deliveries after a command's first (broker redeliveries), whether or not they switched anything. */
  redelivered: number;
  unexplained: string[];
  /** Relays whose pin disagrees with the last accepted command handled for it. */
  finalMismatch: string[];
}

export class Judge {
  private readonly deliveries = new Map<number, Delivery[]>();
  private readonly accepted = new Map<number, { relay: number; on: boolean }>();
  /** This connection's deliveries still being handled (no PUBACK yet), oldest first. */
  private open: Delivery[] = [];
  private readonly state: boolean[];
  private readonly unexplained: string[] = [];
  private conn = 0;

  /** new Judge(setTopics, initial): relay i's set topic and its state at boot. */
  constructor(private readonly setTopics: string[], initial: boolean[]) {
    this.state = [...initial];
  }

  /** accept(k, relay, on): the broker acknowledged command k to the commander. */
  accept(k: number, relay: number, on: boolean): void {
    this.accepted.set(k, { relay, on });
  }

  /**
   * socket(): a new connection (or the end): what the last one left unacknowledged is done with; one that
   * wrote a pin was handled, the others are the broker's to send again.
   */
  socket(): void {
    this.open = [];
    this.conn++;
  }

  /** received(topic, payload, packetId): a PUBLISH reached the board's socket. */
  received(topic: string, payload: string, packetId: number): void {
    const relay = this.setTopics.indexOf(topic);
    const c = commandNumber(payload);
    if (relay < 0 || c === null) return;
    const d: Delivery = { conn: this.conn, k: c[1], relay, on: c[0] === "ON", packetId, acked: false, writes: 0, after: null };
    this.open.push(d);
    const list = this.deliveries.get(d.k) ?? [];
    list.push(d);
    this.deliveries.set(d.k, list);
  }

  /** acked(packetId): the board sent a PUBACK; deliveries before it in the connection were handled before it. */
  acked(packetId: number): void {
    const i = this.open.findIndex((d) => d.packetId === packetId);
    if (i < 0) return;
    const d = this.open.splice(0, i + 1)[i];
    d.acked = true;
    if (d.after === null) d.after = this.state[d.relay];
  }

  /** wrote(relay, on): the board wrote relay `relay`'s pin (a write that changes nothing explains itself). */
  wrote(relay: number, on: boolean): void {
    const was = this.state[relay];
    this.state[relay] = on;
    const i = this.open.findIndex((x) => x.relay === relay && x.writes === 0 && x.after === null);
    if (i >= 0) {
      // The deliveries before it were handled without a write (and their PUBACKs did not go out).
      const d = this.open[i];
      this.open.splice(0, i);
      d.writes++;
      d.after = on;
    } else if (was === on) return;
    else if (this.open.length === 0) this.unexplained.push(`relay ${relay} switched ${on ? "on" : "off"} with no command being handled`);
    else this.unexplained.push(`relay ${relay} switched ${on ? "on" : "off"} while no command for it was handled (command ${this.open[0].k} for relay ${this.open[0].relay} was)`);
  }

  /** pending() -> accepted commands no delivery of which the board has handled yet. */
  pending(): number {
    let n = 0;
    for (const k of this.accepted.keys()) if (!this.handled(k).length) n++;
    return n;
  }

  /** verdict(pins) -> the findings; pins: each relay's state now. Ends the current connection. */
  verdict(pins: boolean[]): Verdict {
    this.socket();
    const lost: number[] = [];
    const duplicated: number[] = [];
    let redelivered = 0;
    const lastFor = new Map<number, { k: number; on: boolean }>();
    for (const [k, a] of [...this.accepted.entries()].sort((x, y) => x[0] - y[0])) {
      const handled = this.handled(k);
      if (handled.length === 0 || handled[0].after !== a.on) {
        lost.push(k);
        continue;
      }
      lastFor.set(a.relay, { k, on: a.on });
      redelivered += (this.deliveries.get(k) ?? []).length - 1;
      if (handled.slice(1).some((d) => d.writes > 0)) duplicated.push(k);
    }
    const finalMismatch: string[] = [];
    for (const [relay, last] of lastFor) {
      if (pins[relay] !== last.on) finalMismatch.push(`relay ${relay} is ${pins[relay] ? "on" : "off"}, its last command (${last.k}) said ${last.on ? "on" : "off"}`);
    }
    return { accepted: this.accepted.size, lost, duplicated, redelivered, unexplained: [...this.unexplained], finalMismatch };
  }

  /** history(k) -> how each delivery of command k went: "connection 3 #17 acknowledged, switched on". */
  history(k: number): string[] {
    return (this.deliveries.get(k) ?? []).map((d) =>
      `connection ${d.conn} #${d.packetId} ${d.acked ? "acknowledged" : "not acknowledged"}${d.writes > 0 ? ", switched " + (d.after ? "on" : "off") : ""}`);
  }

  // The deliveries of k that the board handled: acknowledged, or that wrote a pin.
  private handled(k: number): Delivery[] {
    return (this.deliveries.get(k) ?? []).filter((d) => d.acked || d.writes > 0);
  }
}
