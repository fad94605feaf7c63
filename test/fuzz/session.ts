// What the connected targets (the client, the device) share: the states the engine's rules allow, and
// the reading of each connection's bytes (frames.ts) as they are delivered.
import type { MqttClient } from "../../firmware/mqtt/client";
import type { Decoder } from "../../firmware/mqtt/decoder";
import { SLOT_FREE } from "../../firmware/mqtt/states";
import { Framer, classify, type ClientRules, type Frame, type Verdict } from "./frames";

/** The client's decoder (private to it): the fuzz run compares its progress with its own framer's. */
export function decoderOf(client: MqttClient): Decoder {
  return (client as unknown as { decoder: Decoder }).decoder;
}

/**
 * stateProblems(client, framer) -> what breaks the engine's rules: a state outside the table, in-flight
 * bookkeeping that disagrees with its slots, a packet id 0 or twice in flight, a subscription state outside
 * the table, a counter that is not a count, and (framer given while the link is up) a decoder whose place
 * in the stream differs from the framer's: bytes of an unfinished packet taken so far, to the byte.
 */
export function stateProblems(client: MqttClient, framer: Framer | null): string[] {
  const out: string[] = [];
  if (!(client.state >= 0 && client.state <= 4)) out.push(`client state ${client.state}`);
  const f = client.inflight;
  let used = 0;
  const ids = new Set<number>();
  for (let i = 0; i < f.slots; i++) {
    if (f.state[i] === SLOT_FREE) continue;
    used++;
    if (f.state[i] > 3) out.push(`in-flight slot ${i} state ${f.state[i]}`);
    if (f.id[i] === 0 || ids.has(f.id[i])) out.push(`in-flight packet id ${f.id[i]} (zero or twice)`);
    ids.add(f.id[i]);
  }
  if (used !== f.used) out.push(`inflight.used ${f.used} but ${used} slots taken`);
  const s = client.subs;
  for (let i = 0; i < s.size; i++) if (s.state[i] > 4) out.push(`subscription ${i} state ${s.state[i]}`);
  if (client.offline !== null && client.offline.count < 0) out.push(`offline count ${client.offline.count}`);
  const pending = decoderOf(client).pending();
  if (!(Number.isInteger(pending) && pending >= 0)) out.push(`decoder pending() ${pending}`);
  else if (framer !== null && pending !== framer.pending()) {
    out.push(`decoder is ${pending} bytes into an unfinished packet, the stream ${framer.pending()}`);
  }
  for (const [k, v] of Object.entries(client.stats)) if (!(Number.isInteger(v) && v >= 0)) out.push(`stats.${k} = ${v}`);
  return out;
}

/** One connection's bytes as the fuzz run reads them. */
export class ConnectionReader {
  readonly framer: Framer;
  constructor(rx: number, private readonly rules: ClientRules) {
    this.framer = new Framer(rx);
  }

  /** read(chunk) -> the packets this chunk completes, with what a client must do with each. */
  read(chunk: Uint8Array): { frames: Frame[]; verdicts: Verdict[] } {
    const frames = this.framer.push(chunk);
    return { frames, verdicts: frames.map((f) => classify(f, this.rules)) };
  }
}
