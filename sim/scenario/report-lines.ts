// The board's events and packets as short lines for a failure report: what a reader needs to see why
// an expectation failed, without the byte-level detail of the live trace (headers, hex dumps).
import type { SimEvent } from "../runner/events";
import type { Description } from "../analyzer/describe";

/** Fields of a decoded packet that a report leaves out: they restate its bytes. */
const BYTE_DETAIL = new Set(["type", "headerByte", "flags", "remainingLength", "length", "payloadHex", "payloadLength", "offset"]);
const LONGEST = 80;

/** eventLines(events) -> one line per event; a run of pulses on one counter becomes one line. */
export function eventLines(events: SimEvent[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    if (e.event === "input" && e.pulses !== undefined) {
      let j = i;
      while (j + 1 < events.length) {
        const n = events[j + 1];
        if (n.event !== "input" || n.pulses === undefined || n.sensor !== e.sensor) break;
        j++;
      }
      const last = events[j] as typeof e;
      out.push(j === i ? `${stamp(e.t)} input ${e.sensor} pulse ${e.pulses}` : `${stamp(e.t)}..${(last.t / 1000).toFixed(3)}s input ${e.sensor} pulses ${e.pulses}..${last.pulses}`);
      i = j;
      continue;
    }
    out.push(eventLine(e));
  }
  return out;
}

/** eventLine(e) -> `t=1.234s relay pump on pin D26 level 0`, or for a packet `t=... board -> PUBLISH ...`. */
export function eventLine(e: SimEvent): string {
  if (e.event === "packet") return `${stamp(e.t)} ${e.dir === "out" ? "board ->" : "-> board"} ${packetLine(e.packet)}`;
  const { t, device: _device, event, ...rest } = e as SimEvent & Record<string, unknown>;
  return `${stamp(t)} ${event} ${fields(rest as Record<string, unknown>)}`;
}

/** packetLine(d) -> `PUBLISH dup=false qos=1 retain=true topic=devices/x/status packetId=2 payload="online"`. */
export function packetLine(d: Description): string {
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(d)) if (!BYTE_DETAIL.has(k)) rest[k] = v;
  return `${String(d.type)} ${fields(rest)}`.trimEnd();
}

function fields(o: Record<string, unknown>): string {
  return Object.entries(o).map(([k, v]) => `${k}=${short(v)}`).join(" ");
}

function short(v: unknown): string {
  const s = typeof v === "string" && /^[\w./+#-]+$/.test(v) ? v : JSON.stringify(v);
  return s !== undefined && s.length > LONGEST ? s.slice(0, LONGEST) + `...(${s.length} chars)` : String(s);
}

function stamp(t: number): string {
  return `t=${(t / 1000).toFixed(3)}s`;
}
