// The MQTT 3.1.1 session: connect, keep alive, reconnect with backoff, QoS 0/1/2 both ways, offline
// store, subscriptions. It reaches the network only through a Transport and time only through a Clock;
// the runtime calls tick() a few times a second. After construction nothing is allocated.
import { Transport, TransportEvents, Clock } from "../platform";
import {
  OK, E_INFLIGHT_FULL, E_OFFLINE_FULL, E_QOS0_OFFLINE, E_CONNACK_TIMEOUT, E_PING_TIMEOUT,
  E_REFUSED_PROTOCOL, E_REFUSED_IDENTIFIER, E_REFUSED_UNAVAILABLE, E_REFUSED_CREDENTIALS,
  E_REFUSED_NOT_AUTHORIZED, E_CONNECTION_LOST, E_UNEXPECTED_PACKET, E_SUBSCRIPTIONS_FULL, E_QOS_NOT_GRANTED,
  E_STOPPED, E_RX_OVERFLOW, E_BUFFER_TOO_SMALL, E_QOS_INVALID, E_BAD_ARGUMENT, E_PACKET_TOO_LARGE, E_WRITE_FAILED,
} from "./errors";
import {
  CONNACK, PUBLISH, PUBACK, PUBREC, PUBREL, PUBCOMP, SUBACK, UNSUBACK, PINGRESP, PINGREQ, DISCONNECT,
  SUBSCRIBE, UNSUBSCRIBE, MAX_REMAINING_LENGTH,
} from "./packet-types";
import { connectOptions, connectLength, encodeConnect, encodePublish, writePublish, encodeAck, encodeEmpty, encodeSubscribe, encodeUnsubscribe } from "./encode";
import { Packet } from "./packet";
import { Decoder, PacketSink } from "./decoder";
import { remainingLengthSize, writeRemainingLength, allocBytes, copyBytes } from "./bytes";
import { validateTopicFilter } from "./topic";
import { utf8Array } from "./utf8";
import { Inflight } from "./inflight";
import { OfflineQueue } from "./offline-queue";
import { Subscriptions } from "./subscriptions";
import {
  ST_IDLE, ST_WAITING, ST_OPENING, ST_CONNACK, ST_CONNECTED, SLOT_FREE, SLOT_PUBACK, SLOT_PUBREC, SLOT_PUBCOMP, SUB_FREE, SUB_WANTED,
  SUB_PENDING, SUB_ACTIVE, SUB_LEAVING,
} from "./states";
import { IdSet } from "./id-set";
import { Backoff } from "./backoff";
import { ClientOptions, resolveOptions } from "./client-options";

/** What the client reports; bound once. Every method is optional. */
export interface ClientEvents {
  /** CONNACK accepted; sessionPresent says whether the broker kept our session. */
  onConnected?(sessionPresent: boolean): void;
  /** The link went down (reason: a code from errors.ts); a reconnect follows unless stopped. */
  onDisconnected?(reason: number): void;
  /**
   * A message: topic at p.buf[p.topicOff .. +p.topicLen), payload at p.buf[p.payloadOff .. +p.payloadLen),
   * p.qos, p.retain. `sub` is the first matching subscription's index, or -1. Valid only during the call.
   */
  onMessage?(sub: number, p: Packet): void;
  /**
   * A message larger than the RX buffer (rxBytes), skipped unread but acknowledged: the view has its topic,
   * qos, retain and packet id; p.payloadLen is the whole payload's length, of which p.buf holds only the
   * start (p.buf.length - p.payloadOff bytes at most). `sub` as for onMessage.
   */
  onOversize?(sub: number, p: Packet): void;
  /** SUBACK for subscription `sub`: granted QoS 0-2, or 0x80 when the broker refused the filter. */
  onSubscribed?(sub: number, returnCode: number): void;
  onUnsubscribed?(sub: number): void;
  /** A QoS 1 (PUBACK) or QoS 2 (PUBCOMP) publish completed. */
  onPublished?(packetId: number): void;
  /** Something went wrong that the client handled itself (refused connect, malformed packet, drop). */
  onError?(code: number): void;
}

/** Counters a device can report. */
export class ClientStats {
  connects = 0;
  reconnects = 0;
  messagesIn = 0;
  messagesOut = 0;
  /** Messages lost: QoS 0 while offline, offline store overflow, oversize incoming. */
  dropped = 0;
  errors = 0;
  /** Acknowledgements (PUBACK, PUBREC, PUBCOMP, PUBREL, SUBACK, UNSUBACK) for no packet this side holds. */
  unknownAcks = 0;
  // The traffic: packets and bytes each way, last, as the interpreter walks past properties to find one.
  // A build without __MQTT_TRAFFIC_STATS__ (build-flags.d.ts; the board's, whose telemetry reports none of
  // them) leaves these four at 0.
  packetsIn = 0;
  packetsOut = 0;
  bytesIn = 0;
  bytesOut = 0;
}

// Client states (their numbers live in states.ts, where the build folds them).
export { ST_IDLE, ST_WAITING, ST_OPENING, ST_CONNACK, ST_CONNECTED } from "./states";

// Features a build may leave out (build-flags.d.ts) are tested where they are used, as
// `(typeof __MQTT_X__ === "undefined" || __MQTT_X__)`: the bundler folds a define where it is written, and
// a module-level const holding it was not folded into the methods that read it.
const REFUSALS = [OK, E_REFUSED_PROTOCOL, E_REFUSED_IDENTIFIER, E_REFUSED_UNAVAILABLE, E_REFUSED_CREDENTIALS, E_REFUSED_NOT_AUTHORIZED];

export class MqttClient implements TransportEvents, PacketSink {
  // The interpreter finds a property by walking the object's properties in the order they were made. The
  // fields initialised where they are declared come first (TypeScript's order), then the constructor's
  // own assignments; making the hot ones first saved too little to be worth it (docs/espruino.md).
  state: number;
  // Flags are 0/1 numbers, not booleans: on the interpreter a small integer lives in its property name's
  // JsVar, a boolean takes one more.
  /** drop() closed the link and onClose has not come yet: the link is dead to us. */
  private closing: number;
  private readonly tx: Uint8Array;
  /** tx.length, as a number: on the interpreter a typed array's length is a native getter (~35,000 instructions). */
  private readonly txBytes: number;
  private readonly transport: Transport;
  readonly stats: ClientStats;
  /** onData(buf, off, len): TransportEvents, bytes arrived (the decoder's feed, bound). */
  readonly onData: (buf: Uint8Array, off: number, len: number) => void;
  private readonly events: ClientEvents;
  readonly subs: Subscriptions;
  private readonly decoder: Decoder;
  private readonly clock: Clock;
  private readonly matchTopics: number;
  readonly inflight: Inflight;
  /** null in a build without the offline store, where a QoS 1/2 publish while disconnected is refused. */
  readonly offline: OfflineQueue | null;
  /** The time limits of ClientOptions, resolved (the rest of the options is spent at construction). */
  readonly connectTimeoutMs: number;
  readonly pingTimeoutMs: number;
  readonly stableMs: number;
  /** The reason of the last disconnect, or OK. */
  lastError = OK;
  sessionPresent = false;
  /**
   * 1 exactly while isConnected() is true (kept at every change of state or closing), else 0: for a hot
   * path that asks on every message, a field read where the method is a call (~38,000 instructions a
   * relay command on the interpreter).
   */
  ready = 0;

  /**
   * The CONNECT, the same at every connect: encoded once, and its options not kept (on the interpreter
   * the options object held ~30 JsVars, its five byte arrays more).
   */
  private readonly connectPacket: Uint8Array;
  /** Incoming QoS 2 ids delivered and awaiting PUBREL; null when maxQos < 2 (no QoS 2 can arrive). */
  private readonly qos2In: IdSet | null;
  /** The highest QoS subscribe() takes (ClientOptions.maxQos, at most what the build has). */
  readonly maxQos: number;
  private readonly backoff: Backoff;
  private readonly batch: Uint8Array[] = [];
  private readonly batchQos: Uint8Array;
  private readonly batchIndex: Uint16Array;
  private readonly kaMs: number;
  private lastId = 0;
  private linkOpen = 0;
  private closingSince = 0;
  /** stop() found the session connected, so onDisconnected is owed. */
  private stoppedConnected = 0;
  private closeReason = OK;
  private refusedLong = 0;
  /** The reconnect delay under way follows a refused CONNACK: a network coming back does not cut it. */
  private waitRefused = 0;
  private deadline = 0;
  private nextAttemptAt = 0;
  private connectedAt = 0;
  private lastSent = 0;
  private lastRecv = 0;
  /**
   * A packet went out, or came in, since the last tick: tick() dates it to that tick's time (tickAt),
   * never later than it happened, so a keep-alive ping may come up to a tick early, never late. On the
   * interpreter a clock read per packet costs a call (~50,000 instructions).
   */
  private sentAfterTick = 0;
  private recvAfterTick = 0;
  private tickAt = 0;
  private pingSentAt = 0;
  private pingOutstanding = 0;
  private everConnected = 0;

  /** new MqttClient(options, transport, clock, events): allocates every buffer the session will use. */
  constructor(options: ClientOptions, transport: Transport, clock: Clock, events: ClientEvents) {
    const o = resolveOptions(options);
    const c = connectOptions();
    c.protocolLevel = o.protocolLevel;
    c.cleanSession = o.cleanSession;
    c.keepAlive = o.keepAliveSec;
    c.clientId = utf8Array(o.clientId);
    if (o.will !== null) {
      c.willTopic = utf8Array(o.will.topic);
      c.willPayload = utf8Array(o.will.payload);
      c.willQos = o.will.qos;
      c.willRetain = o.will.retain;
    }
    if (o.username !== null) c.username = utf8Array(o.username);
    if (o.password !== null) c.password = utf8Array(o.password);
    // Fail at start-up, not at the first connect, when the CONNECT itself is invalid; long credentials
    // only make the TX buffer larger, so whatever MQTT allows can be sent.
    const rl = connectLength(c);
    if (rl < 0) throw new Error("invalid MQTT connect options: code " + rl);
    this.state = ST_IDLE;
    this.closing = 0;
    const connectBytes = 1 + remainingLengthSize(rl) + rl;
    this.connectPacket = allocBytes(connectBytes);
    encodeConnect(this.connectPacket, 0, c);
    this.tx = new Uint8Array(Math.max(o.maxPacketBytes, connectBytes));
    this.txBytes = this.tx.length;
    this.transport = transport;
    this.clock = clock;
    this.stats = new ClientStats();
    this.events = events;
    this.subs = new Subscriptions(o.subscriptions);
    this.decoder = new Decoder(o.rxBytes, this, this.stats);
    // The transport's bytes go straight to the decoder (which counts them into stats.bytesIn, where the
    // build counts traffic): a bound function runs feed() itself, one call fewer for every packet.
    this.onData = this.decoder.feed.bind(this.decoder);
    this.matchTopics = (typeof __MQTT_TOPIC_MATCH__ === "undefined" || __MQTT_TOPIC_MATCH__) && o.matchTopics ? 1 : 0;
    this.inflight = new Inflight(o.inflight, o.inflightBytes);
    this.offline = (typeof __MQTT_OFFLINE_STORE__ === "undefined" || __MQTT_OFFLINE_STORE__) ? new OfflineQueue(o.offlineBytes) : null;
    this.connectTimeoutMs = o.connectTimeoutMs;
    this.pingTimeoutMs = o.pingTimeoutMs;
    this.stableMs = o.stableMs;
    this.kaMs = o.keepAliveSec * 1000;
    this.maxQos = (typeof __MQTT_QOS2__ === "undefined" || __MQTT_QOS2__) ? o.maxQos : Math.min(o.maxQos, 1);
    this.qos2In = (typeof __MQTT_QOS2__ === "undefined" || __MQTT_QOS2__) && o.maxQos === 2 ? new IdSet() : null;
    this.backoff = new Backoff(o.reconnectMinMs, o.reconnectMaxMs, o.random);
    for (let i = 0; i < o.subscriptions; i++) this.batch.push(this.tx);
    this.batchQos = allocBytes(o.subscriptions);
    this.batchIndex = new Uint16Array(o.subscriptions);
  }

  /** start(): connects now, and keeps reconnecting until stop(). */
  start(): void {
    if (this.state === ST_IDLE) this.openLink();
  }

  /** stop(): a clean DISCONNECT when connected (the broker then drops the will); no reconnect. */
  stop(): void {
    const was = this.state;
    this.state = ST_IDLE;
    this.ready = 0;
    // Owed even when a drop is already under way: onConnected and onDisconnected come in pairs.
    this.stoppedConnected = was === ST_CONNECTED ? 1 : 0;
    if (was === ST_CONNECTED && !this.closing) {
      const n = encodeEmpty(this.tx, 0, DISCONNECT);
      this.write(this.tx, 0, n);
    }
    this.closeReason = E_STOPPED;
    if (this.linkOpen) this.transport.close();
  }

  /**
   * reconnectNow(): skips the rest of a reconnect delay (the network just came back), unless the broker
   * refused the last CONNECT: a network coming back does not fix credentials.
   */
  reconnectNow(): void {
    if (this.state === ST_WAITING && !this.waitRefused) this.nextAttemptAt = this.clock.now();
  }

  /** rxCapacity() -> the RX buffer's size: the largest packet read whole (ClientOptions.rxBytes). */
  rxCapacity(): number {
    return this.decoder.rx.length;
  }

  isConnected(): boolean {
    return this.state === ST_CONNECTED && !this.closing;
  }

  /** tick(): drives every timer (connect timeout, keep alive, reconnect); call every 100-500 ms. */
  tick(): void {
    const now = this.clock.now();
    if (this.sentAfterTick) {
      this.sentAfterTick = 0;
      this.lastSent = this.tickAt;
    }
    if (this.recvAfterTick) {
      this.recvAfterTick = 0;
      this.lastRecv = this.tickAt;
    }
    this.tickAt = now;
    const st = this.state;
    if (this.closing) {
      // The transport owes onClose; should it never come, act as if it had.
      if (now - this.closingSince >= this.connectTimeoutMs) this.onClose(this.closeReason);
      return;
    }
    if (st === ST_WAITING) {
      if (now >= this.nextAttemptAt) this.openLink();
    } else if (st === ST_OPENING || st === ST_CONNACK) {
      if (now >= this.deadline) this.drop(E_CONNACK_TIMEOUT);
    } else if (st === ST_CONNECTED) {
      if (this.backoff.tries > 0 && now - this.connectedAt >= this.stableMs) this.backoff.reset();
      if (this.kaMs > 0) {
        if (this.pingOutstanding) {
          if (now - this.pingSentAt >= this.pingTimeoutMs) this.drop(E_PING_TIMEOUT);
        } else if (now - this.lastSent >= this.kaMs || now - this.lastRecv >= this.kaMs) {
          // Pinging when nothing arrived either, not only when nothing was sent, notices a dead link
          // while the device keeps publishing QoS 0 into it.
          this.pingOutstanding = 1;
          this.pingSentAt = now;
          this.write(this.tx, 0, encodeEmpty(this.tx, 0, PINGREQ));
        }
      }
    }
  }

  /**
   * publish(topic, payload, pOff, pLen, qos, retain) -> the packet id (QoS 1/2 sent now), 0 (QoS 0 sent, or
   * QoS 1/2 kept in the offline store), or an error: E_QOS0_OFFLINE, E_OFFLINE_FULL, E_INFLIGHT_FULL,
   * E_BUFFER_TOO_SMALL. `topic` is a whole topic name made once and checked then (topicName()): it is not
   * checked again here, so a publish is a few native copies on the board.
   */
  publish(topic: Uint8Array, payload: Uint8Array, pOff: number, pLen: number, qos: number, retain: boolean): number {
    // QoS 0 is done in this body, a call fewer for each sensor report. A QoS 1 or 2 caller returns from
    // here and so lexes the QoS 0 path it skips (docs/espruino.md, "Cost model"): the device sends its own
    // QoS 1 messages through publishQos.
    if (qos !== 0) return this.publishQos(topic, payload, pOff, pLen, qos, retain);
    // `ready` is isConnected() kept as a field: one read where the test is two (~11,000 instructions).
    if (!this.ready) {
      this.stats.dropped++;
      return E_QOS0_OFFLINE;
    }
    const tx = this.tx;
    const tLen = topic.length;
    const rl = 2 + tLen + pLen;
    let n: number;
    if (rl < 128 && rl + 2 <= this.txBytes) {
      // writePublish inline for a message whose remaining length takes one byte: one call and its eight
      // arguments fewer a message.
      tx[0] = retain ? 0x31 : 0x30;
      tx[1] = rl;
      tx[2] = tLen >> 8;
      tx[3] = tLen & 255;
      tx.set(topic, 4);
      if (pOff === 0 && pLen === payload.length) tx.set(payload, 4 + tLen);
      else copyBytes(tx, 4 + tLen, payload, pOff, pLen);
      n = rl + 2;
    } else {
      n = writePublish(tx, 0, retain ? 0x31 : 0x30, 0, topic, payload, pOff, pLen);
      if (n < 0) return n;
    }
    // write() inline (closing was ruled out above, n > 0): a call fewer a message.
    const stats = this.stats;
    if (!this.transport.write(tx, 0, n)) {
      this.drop(E_WRITE_FAILED);
      stats.dropped++;
      return E_WRITE_FAILED;
    }
    if (typeof __MQTT_TRAFFIC_STATS__ === "undefined" || __MQTT_TRAFFIC_STATS__) {
      stats.packetsOut++;
      stats.bytesOut += n;
    }
    stats.messagesOut++;
    this.sentAfterTick = 1;
    return 0;
  }

  /**
   * publishQos(topic, payload, pOff, pLen, qos, retain): publish() for a caller whose qos is 1 or 2 (any
   * other is E_QOS_INVALID), one call fewer: the packet id, 0 (kept in the offline store), or an error.
   */
  publishQos(topic: Uint8Array, payload: Uint8Array, pOff: number, pLen: number, qos: number, retain: boolean): number {
    if (qos !== 1 && (qos !== 2 || !(typeof __MQTT_QOS2__ === "undefined" || __MQTT_QOS2__))) return E_QOS_INVALID;
    // The whole PUBLISH must fit one in-flight slot; remaining lengths under 128 take one byte. A typed
    // array's length is read once: on the interpreter each read is a native getter, dear on a hot path.
    const tLen = topic.length;
    const rl = 4 + tLen + pLen;
    if (rl > 125 || rl + 2 > this.inflight.slotBytes) {
      const size = this.publishSize(tLen, pLen);
      if (size < 0) return size;
    }
    // Behind messages already waiting, or offline: out of line, so the interpreter does not read past it
    // on every message sent. (A build without the offline store tests nothing for it.)
    if (!this.ready ||
      ((typeof __MQTT_OFFLINE_STORE__ === "undefined" || __MQTT_OFFLINE_STORE__) && this.offline !== null && this.offline.count > 0)) {
      return this.queue(topic, payload, pOff, pLen, qos, retain);
    }
    const f = this.inflight;
    const slot = f.state.indexOf(SLOT_FREE); // Inflight.free inline: one call fewer a message
    if (slot < 0) return E_INFLIGHT_FULL;
    // nextId() and launch() inline (the usual case of nextId: the next id is not held anywhere): two calls
    // and their arguments fewer a message, measured in the interpreter (docs/espruino.md).
    let id = this.lastId >= 0xffff ? 1 : this.lastId + 1;
    if (f.id.indexOf(id) >= 0 || this.subs.pendingId.indexOf(id) >= 0) id = this.nextId();
    else this.lastId = id;
    const at = slot * f.slotBytes;
    let end: number;
    if (rl < 128) {
      // writePublish inline for a message whose remaining length takes one byte (checked to fit the
      // slot above): one call and its eight arguments fewer a message.
      const b = f.bytes;
      b[at] = 0x30 | (qos << 1) | (retain ? 1 : 0);
      b[at + 1] = rl;
      b[at + 2] = tLen >> 8;
      b[at + 3] = tLen & 255;
      b.set(topic, at + 4);
      end = at + 4 + tLen;
      b[end] = id >> 8;
      b[end + 1] = id & 255;
      if (pOff === 0 && pLen === payload.length) b.set(payload, end + 2);
      else copyBytes(b, end + 2, payload, pOff, pLen);
      end += 2 + pLen;
    } else end = writePublish(f.bytes, at, 0x30 | (qos << 1) | (retain ? 1 : 0), id, topic, payload, pOff, pLen);
    if (end < 0) return end;
    // Inflight.take inline, then the write.
    f.state[slot] = qos === 1 ? SLOT_PUBACK : SLOT_PUBREC;
    f.id[slot] = id;
    f.len[slot] = end - at;
    f.seq[slot] = f.nextSeq++;
    f.used++;
    // write() inline (closing was ruled out above): a call fewer a message.
    if (this.transport.write(f.bytes, at, end - at)) {
      f.sent[slot] = 1;
      if (typeof __MQTT_TRAFFIC_STATS__ === "undefined" || __MQTT_TRAFFIC_STATS__) {
        this.stats.packetsOut++;
        this.stats.bytesOut += end - at;
      }
      this.sentAfterTick = 1;
    } else {
      f.sent[slot] = 0;
      this.drop(E_WRITE_FAILED);
    }
    this.stats.messagesOut++;
    return id;
  }

  // Keeps order by queueing a QoS 1/2 message in the offline store: 0, or E_OFFLINE_FULL (no store, or full).
  private queue(topic: Uint8Array, payload: Uint8Array, pOff: number, pLen: number, qos: number, retain: boolean): number {
    const q = this.offline;
    if (q === null || !q.push((qos << 1) | (retain ? 1 : 0), topic, 0, topic.length, payload, pOff, pLen)) {
      this.stats.dropped++;
      this.fail(E_OFFLINE_FULL);
      return E_OFFLINE_FULL;
    }
    // The flag as well: a build without the offline store (q is always null there) then has no call
    // left, and drops drainOffline and the general encoder it uses (dead-methods.ts).
    if (typeof __MQTT_OFFLINE_STORE__ === "undefined" || __MQTT_OFFLINE_STORE__) this.drainOffline();
    return 0;
  }

  /** subscribe(filter, qos) -> the subscription's index, or an error; sent now when connected. */
  subscribe(filter: Uint8Array, qos: number): number {
    const i = this.addSubscription(filter, qos);
    if (i >= 0) this.flushSubscriptions();
    return i;
  }

  /**
   * subscribeAll(filters, qos) -> OK or an error, all or nothing: nothing is added unless every filter is
   * valid and fits. One SUBSCRIBE carries them all when connected; indexes are assigned in order from
   * the lowest free ones.
   */
  subscribeAll(filters: Uint8Array[], qos: number[]): number {
    let free = 0;
    for (let i = 0; i < this.subs.size; i++) if (this.subs.state[i] === SUB_FREE) free++;
    for (let k = 0; k < filters.length; k++) {
      const code = this.checkSubscription(filters[k], qos[k]);
      if (code !== OK) return code;
    }
    if (filters.length > free) return E_SUBSCRIPTIONS_FULL;
    for (let k = 0; k < filters.length; k++) this.subs.add(filters[k], qos[k]);
    this.flushSubscriptions();
    return OK;
  }

  /** unsubscribe(sub) -> OK or E_BAD_ARGUMENT; delivery for that filter stops at once. */
  unsubscribe(sub: number): number {
    const s = this.subs;
    if (sub < 0 || sub >= s.size || s.state[sub] === SUB_FREE || s.state[sub] === SUB_LEAVING) return E_BAD_ARGUMENT;
    if (s.state[sub] === SUB_WANTED) {
      s.state[sub] = SUB_FREE;
      this.callUnsubscribed(sub);
      return OK;
    }
    s.state[sub] = SUB_LEAVING;
    s.pendingId[sub] = 0;
    this.flushSubscriptions();
    return OK;
  }

  // ---- transport events ----

  onOpen(): void {
    if (this.state !== ST_OPENING) return;
    this.state = ST_CONNACK;
    this.decoder.reset();
    const now = this.clock.now();
    this.lastRecv = now;
    this.tickAt = now;
    this.write(this.connectPacket, 0, this.connectPacket.length);
  }

  onClose(reason: number): void {
    if (!this.linkOpen) return;
    this.linkOpen = 0;
    this.closing = 0;
    // drop() reported its own reason already; a close we did not ask for is reported here.
    const asked = this.closeReason !== OK;
    const why = asked ? this.closeReason : reason !== OK ? reason : E_CONNECTION_LOST;
    this.closeReason = OK;
    if (!asked) this.fail(why);
    const was = this.state;
    this.pingOutstanding = 0;
    this.lastError = why;
    if (was === ST_IDLE) {
      if (this.stoppedConnected && this.events.onDisconnected) this.events.onDisconnected(why);
      this.stoppedConnected = 0;
      return;
    }
    const now = this.clock.now();
    if (was === ST_CONNECTED && now - this.connectedAt >= this.stableMs) this.backoff.reset();
    this.state = ST_WAITING;
    this.ready = 0;
    this.nextAttemptAt = now + (this.refusedLong ? this.backoff.longest() : this.backoff.next());
    this.waitRefused = this.refusedLong;
    this.refusedLong = 0;
    if (was === ST_CONNECTED && this.events.onDisconnected) this.events.onDisconnected(why);
  }

  // ---- decoder events ----

  onPacket(p: Packet): void {
    if (this.closing) return;
    this.recvAfterTick = 1;
    this.pingOutstanding = 0;
    if (typeof __MQTT_TRAFFIC_STATS__ === "undefined" || __MQTT_TRAFFIC_STATS__) this.stats.packetsIn++;
    // The message path and PUBACK in a few steps; every other packet goes to a method of its own rather
    // than after a return here: the interpreter lexes every byte of a function it does not run, ~450
    // instructions a byte (docs/espruino.md, "Cost model").
    if (p.type === PUBLISH && this.state === ST_CONNECTED && p.qos < 2) {
      // Deliver, then acknowledge QoS 1 [MQTT-4.3.2-2].
      this.stats.messagesIn++;
      const sub = (typeof __MQTT_TOPIC_MATCH__ === "undefined" || __MQTT_TOPIC_MATCH__) && this.matchTopics ? this.subs.match(p.buf, p.topicOff, p.topicLen, p.topicText) : -1;
      if (this.events.onMessage) this.events.onMessage(sub, p);
      if (p.qos === 1 && this.closing === 0) {
        // write() inline, a call fewer; writeAck, so a binding that sends strings makes the PUBACK's in one
        // native call: ~50,000 instructions fewer on the interpreter than four bytes stored and converted.
        if (this.transport.writeAck(PUBACK << 4, p.packetId)) {
          if (typeof __MQTT_TRAFFIC_STATS__ === "undefined" || __MQTT_TRAFFIC_STATS__) {
            this.stats.packetsOut++;
            this.stats.bytesOut += 4;
          }
          this.sentAfterTick = 1;
        } else this.drop(E_WRITE_FAILED);
      }
    } else if (p.type === PUBACK && this.state === ST_CONNECTED) this.complete(p.packetId, SLOT_PUBACK);
    else this.onControl(p, p.type);
  }

  // Every packet but a QoS 0/1 PUBLISH or a PUBACK while connected.
  private onControl(p: Packet, type: number): void {
    if (this.state === ST_CONNACK) {
      if (type !== CONNACK) this.drop(E_UNEXPECTED_PACKET);
      else this.onConnack(p);
      return;
    }
    if (this.state !== ST_CONNECTED) return;
    if (type === PUBLISH) this.onPublish(p);
    else if (type === PUBREC) this.onPubrec(p.packetId);
    else if (type === PUBCOMP) this.complete(p.packetId, SLOT_PUBCOMP);
    else if (type === PUBREL) {
      if (this.qos2In === null || !this.qos2In.has(p.packetId)) this.stats.unknownAcks++;
      else this.qos2In.remove(p.packetId);
      this.write(this.tx, 0, encodeAck(this.tx, 0, PUBCOMP, p.packetId));
    } else if (type === SUBACK) this.onSuback(p);
    else if (type === UNSUBACK) this.onUnsuback(p.packetId);
    else if (type !== PINGRESP) this.drop(E_UNEXPECTED_PACKET);
  }

  onDecodeError(code: number, p: Packet): void {
    if (this.closing) return;
    if (code === E_RX_OVERFLOW && p.type === PUBLISH) {
      this.oversize(p);
      return;
    }
    // A malformed packet closes the connection [MQTT-4.8.0-1], whatever its size; so does one this side
    // could never read (a SUBACK for more filters than it has, a packet only a server receives).
    this.drop(code);
  }

  // ---- internals ----

  private openLink(): void {
    this.state = ST_OPENING;
    this.deadline = this.clock.now() + this.connectTimeoutMs;
    this.linkOpen = 1;
    this.closing = 0;
    this.closeReason = OK;
    this.transport.open(this);
  }

  // Closes the link for `reason`; onClose does the bookkeeping and schedules the reconnect. Until it
  // comes, nothing more is read from or written to the dying link.
  private drop(reason: number): void {
    if (this.closing) return;
    this.fail(reason);
    this.closeReason = reason;
    if (!this.linkOpen) return;
    this.closing = 1;
    this.ready = 0;
    this.closingSince = this.clock.now();
    this.decoder.reset();
    this.transport.close();
  }

  private fail(code: number): void {
    this.stats.errors++;
    if (this.events.onError) this.events.onError(code);
  }

  // -> whether the bytes went to the transport. One it refuses is a dying link: closed, to open anew.
  private write(buf: Uint8Array, off: number, end: number): boolean {
    if (end <= off || this.closing) return false;
    if (!this.transport.write(buf, off, end - off)) {
      this.drop(E_WRITE_FAILED);
      return false;
    }
    if (typeof __MQTT_TRAFFIC_STATS__ === "undefined" || __MQTT_TRAFFIC_STATS__) {
      this.stats.packetsOut++;
      this.stats.bytesOut += end - off;
    }
    this.sentAfterTick = 1;
    return true;
  }

  private onConnack(p: Packet): void {
    if (p.returnCode !== 0) {
      // Bad credentials or authorization will not fix themselves: wait the longest before retrying.
      this.refusedLong = p.returnCode === 4 || p.returnCode === 5 ? 1 : 0;
      this.drop(REFUSALS[p.returnCode]);
      return;
    }
    const now = this.clock.now();
    this.state = ST_CONNECTED;
    this.ready = 1;
    this.connectedAt = now;
    this.lastSent = now;
    this.tickAt = now;
    this.sessionPresent = p.sessionPresent;
    this.stats.connects++;
    if (this.everConnected) this.stats.reconnects++;
    this.everConnected = 1;
    this.restoreSubscriptions(p.sessionPresent);
    if (!p.sessionPresent && this.qos2In !== null) this.qos2In.clear();
    this.resendInflight();
    this.flushSubscriptions();
    if (typeof __MQTT_OFFLINE_STORE__ === "undefined" || __MQTT_OFFLINE_STORE__) this.drainOffline();
    if (this.events.onConnected) this.events.onConnected(p.sessionPresent);
  }

  private onPublish(p: Packet): void {
    this.stats.messagesIn++;
    this.accept(p, false);
  }

  // A PUBLISH larger than the RX buffer: its payload is skipped and it counts as dropped, but the
  // application hears of it (onOversize) and a QoS 1/2 one is acknowledged as any other, so the broker's
  // window of unacknowledged messages moves on and later ones keep coming [MQTT-4.3.2-2]
  // [MQTT-4.3.3-2]. One whose packet id did not fit cannot be acknowledged: the link is closed instead
  // (a broker sends a clean session nothing of the old one), as a window that never moves is worth less.
  private oversize(p: Packet): void {
    this.stats.dropped++;
    this.fail(E_RX_OVERFLOW);
    if (this.state !== ST_CONNECTED) return;
    if (p.topicOff < 0) {
      if (p.qos > 0) this.drop(E_RX_OVERFLOW);
      return;
    }
    this.accept(p, true);
  }

  // Hands a message to the application (onOversize for one whose payload was skipped) and acknowledges it.
  private accept(p: Packet, oversize: boolean): void {
    const id = p.packetId;
    if (p.qos === 2) {
      const seen = this.qos2In;
      if (seen === null) {
        this.drop(E_QOS_NOT_GRANTED);
        return;
      }
      // Exactly once: an id already delivered and awaiting PUBREL is only acknowledged again.
      if (!seen.has(id)) {
        seen.add(id);
        this.deliver(p, oversize);
      }
      this.write(this.tx, 0, encodeAck(this.tx, 0, PUBREC, id));
      return;
    }
    this.deliver(p, oversize);
    if (p.qos === 1) this.write(this.tx, 0, encodeAck(this.tx, 0, PUBACK, id));
  }

  private deliver(p: Packet, oversize: boolean): void {
    const sub = (typeof __MQTT_TOPIC_MATCH__ === "undefined" || __MQTT_TOPIC_MATCH__) && this.matchTopics ? this.subs.match(p.buf, p.topicOff, p.topicLen, p.topicText) : -1;
    const events = this.events;
    if (oversize) {
      if (events.onOversize) events.onOversize(sub, p);
    } else if (events.onMessage) events.onMessage(sub, p);
  }

  private onPubrec(id: number): void {
    // A build without QoS 2 sent none: every PUBREC is for an id it does not hold.
    const i = (typeof __MQTT_QOS2__ === "undefined" || __MQTT_QOS2__) ? this.inflight.find(id) : -1;
    if (i >= 0 && this.inflight.state[i] === SLOT_PUBREC) this.inflight.state[i] = SLOT_PUBCOMP;
    else if (i < 0) this.stats.unknownAcks++;
    // Answered even for an id we no longer hold, so the broker's flow can end.
    this.write(this.tx, 0, encodeAck(this.tx, 0, PUBREL, id));
  }

  private complete(id: number, expected: number): void {
    // Inflight.find and release inline, the usual case first (a native scan finds the id in a busy slot):
    // two calls fewer for every acknowledgement.
    const f = this.inflight;
    let i = f.id.indexOf(id);
    if (i >= 0 && f.state[i] === SLOT_FREE) i = f.find(id);
    if (i < 0 || f.state[i] !== expected) {
      this.stats.unknownAcks++;
      return;
    }
    f.state[i] = SLOT_FREE;
    f.used--;
    if (this.events.onPublished) this.events.onPublished(id);
    if ((typeof __MQTT_OFFLINE_STORE__ === "undefined" || __MQTT_OFFLINE_STORE__) && (this.offline as OfflineQueue).count > 0) this.drainOffline();
  }

  private onSuback(p: Packet): void {
    const s = this.subs;
    let k = 0;
    for (let i = 0; i < s.size && k < p.count; i++) {
      if (s.state[i] !== SUB_PENDING || s.pendingId[i] !== p.packetId) continue;
      const code = p.buf[p.listOff + k++];
      s.state[i] = SUB_ACTIVE;
      s.granted[i] = code;
      s.pendingId[i] = 0;
      if (this.events.onSubscribed) this.events.onSubscribed(i, code);
    }
    if (k === 0) this.stats.unknownAcks++;
  }

  private onUnsuback(id: number): void {
    const s = this.subs;
    let found = false;
    for (let i = 0; i < s.size; i++) {
      if (s.state[i] === SUB_LEAVING && s.pendingId[i] === id) {
        s.state[i] = SUB_FREE;
        s.pendingId[i] = 0;
        found = true;
        this.callUnsubscribed(i);
      }
    }
    if (!found) this.stats.unknownAcks++;
  }

  private callUnsubscribed(i: number): void {
    if (this.events.onUnsubscribed) this.events.onUnsubscribed(i);
  }

  // Whole PUBLISH size for a QoS 1/2 message, or an error when it cannot fit a slot.
  private publishSize(tLen: number, pLen: number): number {
    const rl = 2 + tLen + 2 + pLen;
    if (rl > MAX_REMAINING_LENGTH) return E_PACKET_TOO_LARGE;
    const size = 1 + remainingLengthSize(rl) + rl;
    return size > this.inflight.slotBytes ? E_BUFFER_TOO_SMALL : size;
  }

  // The PUBLISH for packet id `id` is encoded in slot `slot` at bytes [at, end): it is in flight now. For
  // the offline store's messages; publishQos does the same inline.
  private launch(slot: number, id: number, qos: number, at: number, end: number): number {
    const f = this.inflight;
    f.take(slot, id, qos === 1 ? SLOT_PUBACK : SLOT_PUBREC, end - at);
    if (this.write(f.bytes, at, end)) f.sent[slot] = 1;
    this.stats.messagesOut++;
    return id;
  }

  // Moves queued messages into free slots while connected. The queue holds topics at offsets in its own
  // bytes, so these go through the general encoder (a path taken only after an outage).
  private drainOffline(): void {
    const q = this.offline as OfflineQueue;
    const f = this.inflight;
    while (this.isConnected() && q.count > 0) {
      const slot = f.free();
      if (slot < 0) return;
      const rec = q.peek();
      const flags = q.flags(rec);
      const qos = (flags >> 1) & 3;
      const id = this.nextId();
      const at = f.offset(slot);
      const end = encodePublish(f.bytes, at, qos, (flags & 1) !== 0, false, id, q.bytes, q.topicOff(rec), q.topicLen(rec),
        q.bytes, q.payloadOff(rec), q.payloadLen(rec));
      q.pop();
      if (end < 0) this.fail(end);
      else this.launch(slot, id, qos, at, end);
    }
  }

  // Unacknowledged PUBLISH packets again with DUP, and PUBREL for those past PUBREC, in their
  // original order and with their original ids [MQTT-4.4.0-1].
  private resendInflight(): void {
    const f = this.inflight;
    let seq = 0;
    for (let i = f.oldestAfter(seq); i >= 0; i = f.oldestAfter(seq)) {
      seq = f.seq[i];
      const at = f.offset(i);
      if (f.state[i] === SLOT_PUBCOMP) {
        this.write(this.tx, 0, encodeAck(this.tx, 0, PUBREL, f.id[i]));
        continue;
      }
      if (f.sent[i] !== 0) f.bytes[at] |= 0x08;
      if (this.write(f.bytes, at, at + f.len[i])) f.sent[i] = 1;
    }
  }

  // A filter is refused at the call when even a SUBSCRIBE of it alone (id, length, filter, QoS) could
  // never leave the TX buffer, as publishSize refuses a publish.
  private checkSubscription(filter: Uint8Array, qos: number): number {
    if ((qos !== 0 && qos !== 1 && qos !== 2) || qos > this.maxQos) return E_QOS_INVALID;
    const rl = 5 + filter.length;
    if (1 + remainingLengthSize(rl) + rl > this.tx.length) return E_BUFFER_TOO_SMALL;
    return validateTopicFilter(filter, 0, filter.length);
  }

  private addSubscription(filter: Uint8Array, qos: number): number {
    const code = this.checkSubscription(filter, qos);
    if (code !== OK) return code;
    const i = this.subs.add(filter, qos);
    return i < 0 ? E_SUBSCRIPTIONS_FULL : i;
  }

  // After CONNACK: without a stored session every subscription is made again; with one, only those
  // whose SUBACK or UNSUBACK never came.
  private restoreSubscriptions(sessionPresent: boolean): void {
    const s = this.subs;
    for (let i = 0; i < s.size; i++) {
      const st = s.state[i];
      if (st === SUB_PENDING || (st === SUB_ACTIVE && !sessionPresent)) s.state[i] = SUB_WANTED;
      else if (st === SUB_LEAVING) {
        if (sessionPresent) s.pendingId[i] = 0;
        else {
          s.state[i] = SUB_FREE;
          this.callUnsubscribed(i);
        }
      }
    }
  }

  // Sends what the table wants: SUBSCRIBE for SUB_WANTED entries and UNSUBSCRIBE for SUB_LEAVING ones not
  // yet sent, as many filters per packet as the TX buffer takes.
  private flushSubscriptions(): void {
    if (!this.isConnected()) return;
    this.flushList(SUBSCRIBE);
    this.flushList(UNSUBSCRIBE);
  }

  private flushList(type: number): void {
    const s = this.subs;
    for (;;) {
      let count = 0;
      for (let i = 0; i < s.size; i++) {
        const want = type === SUBSCRIBE ? s.state[i] === SUB_WANTED : s.state[i] === SUB_LEAVING && s.pendingId[i] === 0;
        if (!want) continue;
        this.batch[count] = s.filters[i];
        this.batchQos[count] = s.qos[i];
        this.batchIndex[count] = i;
        count++;
      }
      if (count === 0) return;
      const id = this.nextId();
      let n = E_BUFFER_TOO_SMALL;
      while (count > 0) {
        n = type === SUBSCRIBE
          ? encodeSubscribe(this.tx, 0, id, this.batch, this.batchQos, 0, count)
          : encodeUnsubscribe(this.tx, 0, id, this.batch, 0, count);
        if (n !== E_BUFFER_TOO_SMALL) break;
        count--;
      }
      if (n < 0) {
        // A filter that can never be sent (subscribe() refuses those, so only a defect leads here): drop
        // it so the rest still go out and the table cannot spin.
        const bad = this.batchIndex[0];
        s.state[bad] = SUB_FREE;
        this.fail(n);
        continue;
      }
      for (let k = 0; k < count; k++) {
        const i = this.batchIndex[k];
        if (type === SUBSCRIBE) s.state[i] = SUB_PENDING;
        s.pendingId[i] = id;
      }
      this.write(this.tx, 0, n);
    }
  }

  // The next packet id not held by an in-flight message or a pending (UN)SUBSCRIBE [MQTT-2.3.1-2].
  private nextId(): number {
    let id = this.lastId >= 0xffff ? 1 : this.lastId + 1;
    // Two native scans clear the usual case; an id still held somewhere (after a wrap) takes the loop.
    if (this.inflight.id.indexOf(id) >= 0 || this.subs.pendingId.indexOf(id) >= 0) {
      while (this.inflight.find(id) >= 0 || this.subs.usesId(id)) id = id >= 0xffff ? 1 : id + 1;
    }
    this.lastId = id;
    return id;
  }

  // Last in the class: the interpreter finds a method by walking the prototype's in the order they were made,
  // and this one is on no packet's path.
  /**
   * publishDirect(topic, payload, pOff, pLen, retain) -> 0 (sent), or E_QOS0_OFFLINE, E_WRITE_FAILED,
   * E_PACKET_TOO_LARGE, E_BUFFER_TOO_SMALL (the header and topic do not fit the TX buffer). A QoS 0 PUBLISH
   * written in two pieces: fixed header and topic from the TX buffer, then the payload from the caller's
   * own bytes. So a message far larger than every other (Home Assistant's discovery config) needs neither
   * a TX buffer nor in-flight slots of its size; QoS 0 because an in-flight slot would have to hold it.
   * Not a hot path: connects, Home Assistant restarts, and the device's reports (telemetry, refusals).
   */
  publishDirect(topic: Uint8Array, payload: Uint8Array, pOff: number, pLen: number, retain: boolean): number {
    if (!this.ready) {
      this.stats.dropped++;
      return E_QOS0_OFFLINE;
    }
    const tLen = topic.length;
    const rl = 2 + tLen + pLen;
    if (rl > MAX_REMAINING_LENGTH) return E_PACKET_TOO_LARGE;
    const tx = this.tx;
    const head = 1 + remainingLengthSize(rl) + 2 + tLen;
    if (head > tx.length) return E_BUFFER_TOO_SMALL;
    tx[0] = retain ? 0x31 : 0x30;
    let p = writeRemainingLength(tx, 1, rl);
    tx[p] = tLen >> 8;
    tx[p + 1] = tLen & 255;
    tx.set(topic, p + 2);
    p += 2 + tLen;
    if (!this.write(tx, 0, p)) {
      this.stats.dropped++;
      return E_WRITE_FAILED;
    }
    // The second piece belongs to the packet just counted: only its bytes are added.
    if (pLen > 0) {
      if (!this.transport.write(payload, pOff, pLen)) {
        this.drop(E_WRITE_FAILED);
        this.stats.dropped++;
        return E_WRITE_FAILED;
      }
      if (typeof __MQTT_TRAFFIC_STATS__ === "undefined" || __MQTT_TRAFFIC_STATS__) this.stats.bytesOut += pLen;
    }
    this.stats.messagesOut++;
    return 0;
  }
}
