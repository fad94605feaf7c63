// Interop under faults: numbered QoS 1 and QoS 2 streams in both directions between our client (the
// device, behind a fault-injecting proxy) and an MQTT.js peer (directly on the broker), while the link is
// cut in the middle of packets, stalled, and the broker restarted. After each fault the device must
// reconnect, no QoS 1/2 message may be lost either way, and no QoS 2 message may reach an application
// twice (QoS 1 duplicates are allowed by the spec; they are counted and reported).
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { PUBLISH, PUBACK, PUBREC, PUBREL, PUBCOMP, PACKET_NAMES } from "../../firmware/mqtt/packet-types";
import { E_INFLIGHT_FULL, E_PING_TIMEOUT, errorName } from "../../firmware/mqtt/errors";
import { BROKERS, brokerAvailable, type BrokerKind, type TestBroker } from "../support/brokers";
import { Device } from "../support/device";
import { FaultProxy, type CutRule } from "../../sim/broker/fault-proxy";
import { Peer } from "../support/mqtt-peer";
import { sleep, until } from "../support/wait";

const TICK_MS = 20;
/** One message each way every PACE_MS while producing. */
const PACE_MS = 15;

const observations: string[] = [];
afterAll(() => {
  if (observations.length > 0) console.log("[fault observations]\n  " + observations.join("\n  "));
});

/** Message n goes at QoS 1 when odd, QoS 2 when even, on "<dir>/q<qos>" with payload "n". */
const qosOf = (n: number) => (n % 2 === 1 ? 1 : 2);

/** Both streams, their producers, and what each side received. */
class Rig {
  readonly device: Device;
  readonly peer: Peer;
  readonly proxy: FaultProxy;
  readonly broker: TestBroker;
  /** Numbers handed to the device / the peer so far (1..sent). */
  upSent = 0;
  downSent = 0;
  /** Deliveries per number to the peer's application (up) and the device's application (down). */
  readonly upGot = new Map<number, number>();
  readonly downGot = new Map<number, number>();
  /** Device publishes waiting for a free in-flight slot. */
  private readonly pending: number[] = [];
  private producer: NodeJS.Timeout | null = null;
  private pump: NodeJS.Timeout | null = null;
  readonly publishErrors: string[] = [];

  constructor(broker: TestBroker, proxy: FaultProxy, device: Device, peer: Peer) {
    this.broker = broker;
    this.proxy = proxy;
    this.device = device;
    this.peer = peer;
    device.onMessage = (m) => {
      const n = Number(m.payload);
      expect(m.topic).toBe(`down/q${qosOf(n)}`);
      this.downGot.set(n, (this.downGot.get(n) ?? 0) + 1);
    };
    peer.onMessage = (m) => {
      const n = Number(m.payload);
      expect(m.topic).toBe(`up/q${qosOf(n)}`);
      this.upGot.set(n, (this.upGot.get(n) ?? 0) + 1);
    };
    // The device's application: publishes in order, retrying while every in-flight slot is taken.
    this.pump = setInterval(() => this.drain(), 5);
  }

  private drain(): void {
    while (this.pending.length > 0) {
      const n = this.pending[0];
      const r = this.device.publish(`up/q${qosOf(n)}`, String(n), qosOf(n));
      if (r === E_INFLIGHT_FULL) return;
      if (r < 0) {
        // E_OFFLINE_FULL or anything else: a lost message as far as the application is concerned.
        this.publishErrors.push(`${n}: ${errorName(r)}`);
      }
      this.pending.shift();
    }
  }

  /** sendUp(k) / sendDown(k): k more numbered messages from the device / the peer, at once. */
  sendUp(k: number): void {
    for (let i = 0; i < k; i++) this.pending.push(++this.upSent);
    this.drain();
  }

  sendDown(k: number): void {
    for (let i = 0; i < k; i++) {
      const n = ++this.downSent;
      // MQTT.js queues while disconnected and resends its own unacknowledged messages on reconnect.
      this.peer.client.publish(`down/q${qosOf(n)}`, String(n), { qos: qosOf(n) as 1 | 2 }, () => {});
    }
  }

  /** produce(): one message each way every PACE_MS until quiet(). */
  produce(): void {
    if (this.producer !== null) return;
    this.producer = setInterval(() => {
      this.sendUp(1);
      this.sendDown(1);
    }, PACE_MS);
  }

  quiet(): void {
    if (this.producer !== null) clearInterval(this.producer);
    this.producer = null;
  }

  dispose(): void {
    this.quiet();
    if (this.pump !== null) clearInterval(this.pump);
    this.pump = null;
  }

  missing(got: Map<number, number>, sent: number): number[] {
    const out: number[] = [];
    for (let n = 1; n <= sent; n++) if (!got.has(n)) out.push(n);
    return out;
  }

  describe(): string {
    const mu = this.missing(this.upGot, this.upSent);
    const md = this.missing(this.downGot, this.downSent);
    return `up ${this.upSent - mu.length}/${this.upSent} (missing ${mu.slice(0, 15).join(",")}), ` +
      `down ${this.downSent - md.length}/${this.downSent} (missing ${md.slice(0, 15).join(",")}), ` +
      `pending ${this.pending.length}; ${this.device.describe()}`;
  }

  /** Until every number sent either way has arrived at least once. */
  async allDelivered(timeoutMs = 10000): Promise<void> {
    await until(
      () => this.pending.length === 0 && this.missing(this.upGot, this.upSent).length === 0 &&
        this.missing(this.downGot, this.downSent).length === 0,
      timeoutMs,
      () => "every message delivered: " + this.describe(),
    );
  }

  /**
   * brokerRepeats(n) -> how often the broker sent QoS 2 message n to the device again after it had
   * already sent PUBREL for its packet id. A sender MUST NOT resend the PUBLISH once it sent PUBREL
   * [MQTT-4.3.3]; and once the client got that PUBREL it released the id, so the repeated PUBLISH is a
   * new message as far as any receiver can tell. Read from the proxy's trace (PUBRELs the proxy lost
   * in a cut count too: what matters is what the broker did).
   */
  brokerRepeats(n: number): number {
    let repeats = 0;
    let id = -1;
    let released = false;
    for (const pk of this.proxy.packets) {
      if (pk.dir !== "b2c") continue;
      if (pk.type === PUBLISH && pk.fate === "forwarded" && pk.topic === "down/q2" && pk.payload === String(n)) {
        if (released && pk.packetId === id) repeats++;
        released = false;
        id = pk.packetId;
      } else if (pk.type === PUBREL && pk.packetId === id) {
        released = true;
      }
    }
    return repeats;
  }

  /** trail(n) -> the proxy's record of QoS 2 message n to the device and its flow, for failure messages. */
  trail(n: number): string {
    const ids = new Set<number>();
    for (const pk of this.proxy.packets) {
      if (pk.dir === "b2c" && pk.type === PUBLISH && pk.payload === String(n) && pk.topic === "down/q2") ids.add(pk.packetId);
    }
    return this.proxy.packets
      .filter((pk) => ids.has(pk.packetId) && (pk.type === PUBLISH ? pk.payload === String(n) && pk.topic === "down/q2"
        : pk.dir === "b2c" ? pk.type === PUBREL : pk.type === PUBREC || pk.type === PUBCOMP))
      .map((pk) => `${Math.round(pk.at)} c${pk.conn} ${pk.dir} ${PACKET_NAMES[pk.type]}${(pk.flags & 8) !== 0 && pk.type === PUBLISH ? "(dup)" : ""} #${pk.packetId} ${pk.fate}`)
      .join("; ");
  }

  /** The final check: nothing lost, QoS 2 exactly once; returns duplicate counts for the report. */
  check(strictBroker: boolean): { upDup1: number; downDup1: number; brokerRepeats: number[]; brokerLostPubrel: string[] } {
    const brokerLostPubrel: string[] = [];
    expect(this.publishErrors).toEqual([]);
    expect(this.missing(this.upGot, this.upSent)).toEqual([]);
    expect(this.missing(this.downGot, this.downSent)).toEqual([]);
    const dups = (got: Map<number, number>, qos: number) => {
      let extra = 0;
      const twice: number[] = [];
      for (const [n, c] of got) {
        if (qosOf(n) !== qos || c === 1) continue;
        extra += c - 1;
        twice.push(n);
      }
      return { extra, twice };
    };
    expect(dups(this.upGot, 2).twice, "QoS 2 device->peer delivered more than once").toEqual([]);
    // QoS 2 to the device: exactly once per flow the broker started. A broker that repeats a released
    // flow (aedes 1.2.0, see brokerRepeats) defeats exactly-once whatever the client does; the client is
    // then held to delivering each repeat at most once, and the repeats are reported.
    const repeats: number[] = [];
    const wrong: string[] = [];
    for (let n = 2; n <= this.downSent; n += 2) {
      const r = this.brokerRepeats(n);
      if (r > 0) repeats.push(n);
      const got = this.downGot.get(n) ?? 0;
      if (got < 1 || got > 1 + r) wrong.push(`#${n}: delivered ${got}, broker flows ${1 + r}: ${this.trail(n)}`);
    }
    expect(wrong, "QoS 2 peer->device delivered more often than the broker started a flow").toEqual([]);
    if (strictBroker) expect(repeats, "the broker repeated released QoS 2 flows").toEqual([]);
    expect(this.device.client.stats.dropped).toBe(0);
    // Every incoming QoS 2 flow ended with PUBREL, so no packet id is left awaiting one; an id may only
    // be left when the broker never sent the PUBREL after the client's last PUBREC (aedes 1.2.0 loses
    // such flows; see the report). The set is private: read for the test.
    const q2 = (this.device.client as unknown as { qos2In: { next(after: number): number } }).qos2In;
    const left: string[] = [];
    for (let id = q2.next(0); id !== 0; id = q2.next(id)) {
      // The broker->device flow only (the device's own publishes use ids of their own).
      const trail = this.proxy.packets.filter((pk) => pk.packetId === id &&
        (pk.dir === "b2c" ? pk.type === PUBLISH || pk.type === PUBREL : pk.type === PUBREC || pk.type === PUBCOMP));
      let lastRec = -1;
      trail.forEach((pk, k) => {
        if (pk.dir === "c2b" && pk.type === PUBREC) lastRec = k;
      });
      const relAfter = trail.slice(lastRec + 1).some((pk) => pk.dir === "b2c" && pk.type === PUBREL && pk.fate === "forwarded");
      const desc = `id ${id}: ` + trail.map((pk) => `conn${pk.conn} ${pk.dir} ${PACKET_NAMES[pk.type]} ${pk.fate}`).join("; ");
      if (relAfter || strictBroker) left.push(desc);
      else brokerLostPubrel.push(desc);
    }
    expect(left, "QoS 2 ids still awaiting a PUBREL").toEqual([]);
    return { upDup1: dups(this.upGot, 1).extra, downDup1: dups(this.downGot, 1).extra, brokerRepeats: repeats, brokerLostPubrel };
  }
}

// One retry: in about one run of fifteen on a loaded machine the stall test has timed out waiting for
// every message (not reproduced since; the failure message lists what was missing). A retry that
// passes is reported by vitest, so the flake stays visible while it is investigated.
describe.each(BROKERS)("faults with $name", { retry: 1 }, (kind: BrokerKind) => {
  if (!brokerAvailable(kind)) return;

  const cleanups: Array<() => unknown> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) {
      try {
        await c();
      } catch {
        // keep cleaning
      }
    }
  });

  /** A broker (persistent where the broker can be), the proxy, the device behind it, the peer. */
  async function rig(name: string): Promise<Rig> {
    const broker = await kind.start({ persistence: true });
    cleanups.push(() => broker.close());
    const proxy = await FaultProxy.start(broker.port);
    cleanups.push(() => proxy.close());
    // With a broker that keeps sessions across restart the peer keeps one too, so nothing queued for it
    // is lost. Not with aedes: aedes 1.2.0 (aedes-persistence 11.0.0) mixes up outgoing QoS 2 flows to
    // a clean=false subscriber when several are in flight. Its PUBREC handler stores a PubRel without
    // brokerId/brokerCounter, and outgoingUpdate() then takes that stored PubRel for the next one
    // (undefined === undefined) and renames it, leaving the next message's PUBLISH in the store: one flow
    // never gets its PUBREL, another is replayed as a new PUBLISH after a reconnect. MQTT.js hands a
    // QoS 2 message over only on PUBREL, so it would lose messages: the peer is the measuring instrument
    // here, so on aedes it uses a clean session (it is never disconnected there except by the restart,
    // after which MQTT.js subscribes again by itself). The device keeps cleanSession=false on both
    // brokers, so the checks below tell aedes's mistakes apart from the client's.
    const peer = await Peer.connect(broker.port, { clientId: `${name}-peer`, clean: !kind.keepsSessionsAcrossRestart });
    cleanups.push(() => peer.end(true));
    await peer.subscribe({ "up/#": 2 });
    const device = new Device(proxy.port, {
      clientId: `${name}-dev`,
      cleanSession: false,
      keepAliveSec: 1,
      stableMs: 300,
      offlineBytes: 16384,
    }, TICK_MS);
    cleanups.push(() => device.dispose());
    device.subscribe("down/#", 2);
    device.start();
    await device.waitSubacks(1);
    const r = new Rig(broker, proxy, device, peer);
    cleanups.push(() => r.dispose());
    return r;
  }

  function report(r: Rig, what: string): void {
    // mosquitto keeps the QoS 2 rules; aedes 1.2.0 repeats released flows after a reconnect.
    const { upDup1, downDup1, brokerRepeats, brokerLostPubrel } = r.check(kind.name === "mosquitto");
    const note = `${kind.name} ${what}: ${r.upSent} up + ${r.downSent} down, device connects ${r.device.connects.length}, ` +
      `QoS 1 duplicates up ${upDup1} down ${downDup1}, broker repeated released QoS 2 flows ${brokerRepeats.length}` +
      `${brokerRepeats.length > 0 ? ` (#${brokerRepeats.slice(0, 5).join(",#")})` : ""}, ` +
      `QoS 2 flows the broker never released ${brokerLostPubrel.length}, ` +
      `device errors [${[...new Set(r.device.errorNames())].join(",")}]`;
    observations.push(note);
  }

  it("cut in the middle of each kind of packet, both directions", async () => {
    const r = await rig("cut");
    const cuts: CutRule[] = [
      { dir: "b2c", type: PUBLISH, skip: 5 },
      { dir: "c2b", type: PUBLISH, skip: 5 },
      { dir: "b2c", type: PUBREL },
      { dir: "c2b", type: PUBREL },
      { dir: "b2c", type: PUBREC },
      { dir: "c2b", type: PUBREC },
      { dir: "b2c", type: PUBACK },
      { dir: "c2b", type: PUBACK },
      { dir: "b2c", type: PUBCOMP },
      { dir: "c2b", type: PUBCOMP },
    ];
    r.produce();
    for (const rule of cuts) {
      const before = r.device.connects.length;
      const info = await Promise.race([
        r.proxy.cutMidPacket(rule),
        sleep(3000).then(() => {
          throw new Error(`no ${PACKET_NAMES[rule.type!]} ${rule.dir} to cut within 3 s: ${r.describe()}`);
        }),
      ]);
      expect(info.sent).toBeGreaterThan(0);
      expect(info.sent).toBeLessThan(info.length);
      await r.device.waitConnected(before + 1, 4000);
      expect(r.device.connects.at(-1)!.sessionPresent).toBe(true);
      await sleep(150); // traffic flows again before the next cut
    }
    r.quiet();
    await r.allDelivered();
    await sleep(300); // late duplicates would show up now
    report(r, `${cuts.length} mid-packet cuts`);
  });

  it("stall: a short one is ridden out, a long one is noticed by keep alive and recovered from", async () => {
    const r = await rig("stall");
    r.produce();
    await sleep(300);

    // Shorter than keep alive: the link is up again before anyone notices.
    const connects = r.device.connects.length;
    r.proxy.stall();
    await sleep(400);
    r.proxy.resume();
    await sleep(400);
    expect(r.device.connects.length).toBe(connects);
    expect(r.device.errors.filter((e) => e.code === E_PING_TIMEOUT)).toEqual([]);

    // Longer: PINGREQ unanswered -> E_PING_TIMEOUT -> reconnect attempts (held by the stall, CONNACK
    // timeout) -> resume -> reconnect. Meanwhile the device's publishes go to its offline store.
    const stalledAt = performance.now();
    r.proxy.stall();
    await until(() => r.device.errors.some((e) => e.code === E_PING_TIMEOUT), 4000, () => "PING_TIMEOUT: " + r.describe());
    const noticed = r.device.errors.find((e) => e.code === E_PING_TIMEOUT)!.at - stalledAt;
    await sleep(300);
    r.proxy.resume();
    await r.device.waitConnected(connects + 1, 4000);
    expect(r.device.connects.at(-1)!.sessionPresent).toBe(true);
    await sleep(300);
    r.quiet();
    await r.allDelivered();
    await sleep(300);
    report(r, `short + long stall (long one noticed after ${Math.round(noticed)} ms)`);
  });

  if (kind.keepsSessionsAcrossRestart) {
    // mosquitto with persistence: sessions, queued and in-flight messages survive a restart, so the
    // broker is restarted in the middle of the streams and nothing may be lost.
    it("broker restart in the middle of the streams (persistent broker)", async () => {
      const r = await rig("restart");
      r.produce();
      await sleep(400);
      const connects = r.device.connects.length;
      await r.broker.restart();
      await r.device.waitConnected(connects + 1, 5000);
      expect(r.device.connects.at(-1)!.sessionPresent).toBe(true);
      await sleep(400);
      r.quiet();
      await r.allDelivered();
      await sleep(300);
      report(r, "mid-stream restart");
    });
  } else {
    // aedes keeps sessions in memory only: a restart forgets every session, subscription and message
    // it held. So the restart happens when nothing is in flight at the broker, the device publishes
    // while the broker is down (its offline store), the device is held back (proxy stall) until the
    // peer has subscribed again, and it must then come back with sessionPresent = 0, subscribe again
    // by itself, and deliver what it stored; the peer publishes again once the device subscribed.
    it("broker restart (in-memory broker: sessions lost, the client subscribes again)", async () => {
      const r = await rig("restart");
      r.produce();
      await sleep(400);
      r.quiet();
      await r.allDelivered();

      const connects = r.device.connects.length;
      const subacks = r.device.subacks.length;
      const peerSubacks = r.peer.subacks.length;
      await r.broker.restart(async () => {
        await until(() => !r.device.isConnected(), 2000, "the device to notice");
        r.sendUp(20); // into the offline store
        expect(r.device.client.offline!.count).toBe(20);
        r.proxy.stall();
      });
      // MQTT.js (clean session) subscribes again after its reconnect.
      await until(() => r.peer.subacks.length > peerSubacks, 3000, "the peer to subscribe again");
      expect(r.peer.subacks.at(-1)).toEqual([2]);
      r.proxy.resume();
      await r.device.waitConnected(connects + 1, 5000);
      expect(r.device.connects.at(-1)!.sessionPresent).toBe(false);
      await r.device.waitSubacks(subacks + 1);
      expect(r.device.subacks.at(-1)!.rc).toBe(2);
      r.produce();
      await sleep(400);
      r.quiet();
      await r.allDelivered();
      await sleep(300);
      report(r, "restart between bursts");
    });
  }

  // After an outage a persistent session has a backlog of QoS 2 messages; the broker sends its whole
  // in-flight window at once, before any PUBREL can come back (mosquitto's max_inflight_messages is 20
  // by default, aedes has no limit). The client must take it all in on one connection.
  it("a backlog of 40 queued QoS 2 messages arrives exactly once after a reconnect", async ({ annotate }) => {
    const broker = await kind.start();
    cleanups.push(() => broker.close());
    const peer = await Peer.connect(broker.port);
    cleanups.push(() => peer.end(true));
    const d = new Device(broker.port, { clientId: "backlog-dev", cleanSession: false }, TICK_MS);
    cleanups.push(() => d.dispose());
    d.subscribe("bl/#", 2);
    d.start();
    await d.waitSubacks(1);
    d.stop();
    await until(() => d.disconnects.length === 1, 2000, "the device to disconnect");
    await sleep(100);
    for (let n = 1; n <= 40; n++) await peer.publish("bl/x", String(n), 2);

    d.client.start();
    await d.waitMessages((ms) => new Set(ms.map((m) => m.payload)).size === 40, 15000, "all 40 queued messages");
    await sleep(300);
    const counts = new Map<string, number>();
    for (const m of d.messages) counts.set(m.payload, (counts.get(m.payload) ?? 0) + 1);
    expect([...counts.values()].filter((c) => c !== 1)).toEqual([]);
    const note = `${kind.name}: 40 queued QoS 2 after reconnect -> ${d.connects.length - 1} connect(s) to get them, ` +
      `errors: ${d.errors.map((e) => errorName(e.code)).join(", ") || "none"}`;
    observations.push(note);
    await annotate(note);
    expect(d.errors).toEqual([]);
    expect(d.connects.length).toBe(2);
  });
});
