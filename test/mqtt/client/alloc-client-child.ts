// Child process for the client's allocation check (alloc.test.ts runs it through runAllocChild). After
// start-up, each phase runs publish QoS 1 + PUBACK and receive QoS 1 PUBLISH (+ our PUBACK) cycles over an
// allocation-free transport, with tick() every cycle; the shared harness (test/support/alloc-harness.ts)
// counts GC events and young-generation bytes in the window. Phases: "client" (an integer clock),
// "wallclock" (Date.now()-sized, fractional clock values, as a real clock gives), and "control" (the
// client loop plus one small object kept every 64th cycle: the harness must see it). argv[2]: cycles.
import type { Transport, TransportEvents, Clock } from "../../../firmware/platform";
import { writeAckBytes } from "../../../firmware/platform";
import { MqttClient, ClientEvents } from "../../../firmware/mqtt/client";
import type { Packet } from "../../../firmware/mqtt/packet";
import { encodeConnack, encodeSuback, encodeAck, encodePublish, PUBACK, utf8Bytes } from "../../../firmware/mqtt";
import { measurePhases, printReport } from "../../support/alloc-harness";

const CYCLES = Number(process.argv[2] ?? 250_000);

/** Remembers only what the loop needs from each write: type and packet id. No allocation. */
class LoopTransport implements Transport {
  events: TransportEvents | null = null;
  writes = 0;
  lastType = 0;
  lastId = 0;
  open(events: TransportEvents): void {
    this.events = events;
  }
  writeAck(first: number, id: number): boolean {
    return writeAckBytes(this, first, id);
  }

  write(buf: Uint8Array, off: number, len: number): boolean {
    this.writes++;
    const type = buf[off] >> 4;
    this.lastType = type;
    if (type === PUBACK && len === 4) this.lastId = (buf[off + 2] << 8) | buf[off + 3];
    return true;
  }
  close(): void {}
}

/** A clock the loop moves on by one step a cycle. */
interface StepClock extends Clock {
  step(): void;
}

/** Whole milliseconds: small integers all the way (no number is ever boxed, even unoptimized). */
class IntegerClock implements StepClock {
  t = 1000;
  now(): number {
    return this.t;
  }
  step(): void {
    this.t++;
  }
}

/**
 * Date.now()-sized and fractional, as a real clock gives. The time lives in a Float64Array: a fractional
 * number stored in an object field can cost a fresh heap number per store on V8 (a field first defined as
 * undefined holds any value boxed), which would be the rig's allocation, not the client's.
 */
class WallClock implements StepClock {
  private readonly cell = new Float64Array([1_700_000_000_123.25, 0.75]);
  now(): number {
    return this.cell[0];
  }
  step(): void {
    this.cell[0] += this.cell[1];
  }
}

class Counters implements ClientEvents {
  published = 0;
  messages = 0;
  payloadBytes = 0;
  errors = 0;
  onPublished(): void {
    this.published++;
  }
  onMessage(sub: number, p: Packet): void {
    if (sub === 0) this.messages++;
    this.payloadBytes += p.payloadLen;
  }
  onError(): void {
    this.errors++;
  }
}

// Broker packets, built once; ids are patched in place.
const connack = new Uint8Array(4);
encodeConnack(connack, 0, false, 0);
const subackBuf = new Uint8Array(5);
const topicIn = utf8Bytes("relay/1/set");
const payloadIn = utf8Bytes("{\"on\":true,\"ms\":1500}");
const idAt = 2 + 2 + topicIn.length; // fixed header (2) + topic length (2) + topic
const topicOut = utf8Bytes("relay/1/state");
const payloadOut = utf8Bytes("{\"on\":true,\"t\":21.5}");

/** One connected client and the loop that exercises it; `kept` is where the control keeps its objects. */
class Rig {
  readonly transport = new LoopTransport();
  readonly ev = new Counters();
  readonly client: MqttClient;
  readonly puback = new Uint8Array(4);
  readonly incoming = new Uint8Array(64);
  readonly incomingLen: number;
  inId = 0;
  failures = 0;
  kept: { i: number } | null = null;

  constructor(readonly clock: StepClock) {
    this.client = new MqttClient({ clientId: "alloc", keepAliveSec: 60, random: () => 0.5 }, this.transport, clock, this.ev);
    encodeAck(this.puback, 0, PUBACK, 1);
    this.incomingLen = encodePublish(this.incoming, 0, 1, false, false, 1, topicIn, 0, topicIn.length, payloadIn, 0, payloadIn.length);
    this.client.start();
    this.transport.events!.onOpen();
    this.client.onData(connack, 0, 4);
    if (!this.client.isConnected()) throw new Error("not connected");
    const subIndex = this.client.subscribe(utf8Bytes("relay/+/set"), 1);
    encodeSuback(subackBuf, 0, 1, [1], 0, 1);
    this.client.onData(subackBuf, 0, 5);
    if (subIndex !== 0 || this.transport.lastType !== 8) throw new Error("subscribe failed");
  }

  /** cycles(n, allocateEvery64) -> the payload bytes received (a checksum). */
  cycles(n: number, allocate: boolean): number {
    const client = this.client;
    const puback = this.puback;
    const incoming = this.incoming;
    for (let i = 0; i < n; i++) {
      // Out: publish QoS 1, the broker's PUBACK (whole, in one data event).
      const id = client.publish(topicOut, payloadOut, 0, payloadOut.length, 1, false);
      if (id <= 0) this.failures++;
      puback[2] = id >> 8;
      puback[3] = id & 0xff;
      client.onData(puback, 0, 4);
      // In: a QoS 1 PUBLISH, every other one split in two data events (reassembled in the RX buffer).
      this.inId = this.inId >= 0xffff ? 1 : this.inId + 1;
      incoming[idAt] = this.inId >> 8;
      incoming[idAt + 1] = this.inId & 0xff;
      if ((i & 1) === 0) client.onData(incoming, 0, this.incomingLen);
      else {
        client.onData(incoming, 0, 7);
        client.onData(incoming, 7, this.incomingLen - 7);
      }
      if (this.transport.lastType !== PUBACK || this.transport.lastId !== this.inId) this.failures++;
      this.clock.step();
      client.tick();
      if (allocate && (i & 63) === 0) this.kept = { i };
    }
    return this.ev.payloadBytes & 0x3fffffff;
  }

  counters(): Record<string, number> {
    return {
      published: this.ev.published, messages: this.ev.messages, failures: this.failures, errors: this.ev.errors,
      connected: this.client.isConnected() ? 1 : 0,
    };
  }
}

const integer = new Rig(new IntegerClock());
const wall = new Rig(new WallClock());
const control = new Rig(new IntegerClock());

measurePhases([
  { name: "client", ops: CYCLES, run: (n) => integer.cycles(n, false), counters: () => integer.counters() },
  { name: "wallclock", ops: CYCLES, run: (n) => wall.cycles(n, false), counters: () => wall.counters() },
  { name: "control", ops: CYCLES, run: (n) => control.cycles(n, true), counters: () => control.counters() },
]).then((r) => printReport({ ...r, stillConnected: integer.client.isConnected() && wall.client.isConnected() }), (e) => {
  process.stderr.write(String(e && e.stack ? e.stack : e) + "\n");
  process.exit(1);
});
