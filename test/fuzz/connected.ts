// How a connected target (the client, the device) runs one stream: connected first, then each step of
// the stream delivered as the broker's side of the link (a "cut" closes it from there), a closed link
// opened again as the board would, and at the end a liveness probe and a growth check. After every data
// event: the link and relay oracle (relay-oracle.ts), the engine's rules (session.ts), and what the
// target adds (checkEvent).
import type { MqttClient } from "../../firmware/mqtt/client";
import type { FakeTransport } from "../support/fake-transport";
import { connack } from "../support/fake-transport";
import { describeFrame, type Frame, type Verdict } from "./frames";
import { RelayOracle, show, type PinWrite } from "./relay-oracle";
import { ConnectionReader, stateProblems } from "./session";
import type { Stream } from "./streams";
import { emptyResult, retainedVars, hexOf, describeError, type StreamResult } from "./report";

/** Ends a stream that cannot go on (its escape is recorded). */
export class Abort extends Error {}

/** How long a closed link may wait for the client's next attempt (the backoff's cap is 60 s). */
const RECONNECT_WITHIN_MS = 130_000;

export abstract class ConnectedRun {
  protected readonly res = emptyResult();
  /** Relay pin writes since the last data event (the device's; none for the client). */
  protected readonly writes: PinWrite[] = [];
  protected reader: ConnectionReader | null = null;
  protected step = -1;
  private broken = false;

  protected constructor(
    protected readonly stream: Stream,
    protected readonly transport: FakeTransport,
    protected readonly oracle: RelayOracle,
    private readonly name: string,
  ) {}

  // ---- what each target provides ----

  protected abstract client(): MqttClient;
  /** Hands bytes to the target as one data event (the transport's own deliver). */
  protected abstract deliver(chunk: Uint8Array): void;
  /** Lets simulated time pass, ticking the target and answering what the broker owes (through onData). */
  protected abstract runFor(ms: number): void;
  /** Ticks until the target opens a new connection; throws after maxMs. */
  protected abstract runUntilOpening(maxMs: number): void;
  /** Answers what the target sent that the broker owes (SUBACK, PUBACK, PINGRESP), through onData. */
  protected abstract respond(): void;
  /** The probe: packets that must be taken, and whether (given the sent-packet count before) they were. */
  protected abstract probePackets(): Uint8Array[];
  protected abstract probeTaken(sentBefore: number): boolean;
  /** The relay states the pins show now, as the oracle's bits. */
  protected abstract bits(): number;
  /** The object whose memory must not grow, and the seams not to count in it. */
  protected abstract retainedRoot(): { root: object; boundary: object[] };
  protected abstract keepAliveMs(): number;
  protected abstract start(): void;
  /** Target-specific checks after a data event (frames and verdicts of this event). */
  protected checkEvent(frames: Frame[], verdicts: Verdict[]): void {
    void frames;
    void verdicts;
  }
  /** A new session began (after its CONNACK). */
  protected sessionBegan(): void {}

  // ---- the run ----

  run(): StreamResult {
    try {
      this.guard("start", () => this.start());
      // Power-on states are the oracle's starting point, not something to explain.
      this.writes.length = 0;
      this.connect();
      if (!this.probe()) this.escape("a valid message is not taken right after start-up");
      const { root, boundary } = this.retainedRoot();
      const before = retainedVars(root, boundary);
      let resync = false;
      for (let i = 0; i < this.stream.steps.length; i++) {
        this.step = i;
        const s = this.stream.steps[i];
        if (s === "cut") {
          if (this.transport.isOpen) this.transport.remoteClose();
          continue;
        }
        if (!this.transport.isOpen) {
          resync = true;
          this.reconnect();
        }
        // A broker begins a new connection with a whole packet: the rest of the one it was sending is gone.
        if (resync && !s.atPacket) continue;
        resync = false;
        this.onData(s.data);
      }
      this.step = -1;
      if (!this.probe()) this.escape("wedged: a valid message is not taken after the stream, nor after keep alive and a reconnect");
      const after = retainedVars(root, boundary);
      if (after > before) this.escape(`grew: it holds ${after - before} JsVars more than after start-up (${before} -> ${after})`);
    } catch (e) {
      if (!(e instanceof Abort)) this.escape("the fuzz rig failed: " + describeError(e));
    }
    return this.res;
  }

  /** onData(chunk): one data event from the broker's side, checked. Ignored while the link is down. */
  protected onData(chunk: Uint8Array): void {
    if (!this.transport.isOpen || this.reader === null) return;
    this.outside();
    const { frames, verdicts } = this.reader.read(chunk);
    this.res.packets += frames.length;
    this.guard("onData", () => this.deliver(chunk));
    const up = this.transport.isOpen;
    const finding = this.oracle.event(verdicts, this.writes.splice(0), up, this.bits());
    if (finding) {
      const where = `step ${this.step}, in ${hexOf(chunk, 24)}: ${frames.map((f, k) => describeFrame(f, verdicts[k])).join("; ")}`;
      if (finding.kind === "link") this.escape(`link: ${finding.detail} (${where})`);
      else {
        this.res.wrongWrites += finding.count;
        this.res.details.push(`${this.name}: wrong relay writes (${finding.count}): ${finding.detail} at ${where}`);
      }
    }
    if (!this.broken) {
      const problems = stateProblems(this.client(), up ? this.reader.framer : null);
      if (this.transport.badWrites.length > 0) problems.push(`wrote bytes that are not one valid packet: ${this.transport.badWrites.join("; ")}`);
      if (problems.length > 0) this.forbidden(problems.join("; "));
    }
    this.checkEvent(frames, verdicts);
    if (!up) this.reader = null;
  }

  /** forbidden(what): a state the engine's rules forbid; once a stream (what follows says nothing new). */
  protected forbidden(what: string): void {
    if (this.broken) return;
    this.broken = true;
    this.escape(`forbidden state after step ${this.step}: ${what}`);
  }

  // Whatever happened between data events (timers, a link closed by keep alive or the broker): a relay
  // write there is explained by no packet.
  protected outside(): void {
    if (!this.transport.isOpen) this.oracle.closed();
    if (this.writes.length > 0) {
      const w = this.writes.splice(0);
      const f = this.oracle.event([], w, this.transport.isOpen, this.bits());
      if (f) {
        this.res.wrongWrites += f.count;
        this.res.details.push(`${this.name}: wrong relay writes (${f.count}) outside any packet: ${show(w)} before step ${this.step}`);
      }
    }
  }

  protected connect(): void {
    this.outside();
    this.guard("open", () => this.transport.accept());
    this.guard("CONNACK", () => this.deliver(connack()));
    if (!this.client().isConnected()) {
      this.escape("a CONNACK did not bring the session up");
      throw new Abort();
    }
    this.reader = new ConnectionReader(this.client().options.rxBytes, { maxQos: this.client().options.maxQos });
    this.oracle.opened();
    this.sessionBegan();
    this.respond();
  }

  protected reconnect(): void {
    this.guard("reconnect", () => this.runUntilOpening(RECONNECT_WITHIN_MS));
    this.connect();
  }

  private probe(): boolean {
    for (let attempt = 0; attempt < 3; attempt++) {
      if (!this.transport.isOpen) this.reconnect();
      const from = this.transport.sent.length;
      for (const p of this.probePackets()) this.onData(p);
      if (this.probeTaken(from)) return true;
      // Taken as the rest of a packet that never ends, or the link died: keep alive must notice.
      this.guard("keep alive", () => this.runFor(this.keepAliveMs() * 1.5 + 2000));
      this.outside();
    }
    return false;
  }

  protected guard(what: string, fn: () => void): void {
    try {
      fn();
    } catch (e) {
      if (e instanceof Abort) throw e;
      this.escape(`${what} threw at step ${this.step}: ${describeError(e)}`);
      throw new Abort();
    }
  }

  protected escape(s: string): void {
    if (this.res.escapes.length < 5) this.res.escapes.push(`${this.name}: ${s}`);
  }
}
