// What a client is configured with, and the defaults a relay board needs.

export interface WillOptions {
  topic: string;
  payload: string;
  qos: number;
  retain: boolean;
}

export interface ClientOptions {
  clientId: string;
  username?: string | null;
  password?: string | null;
  /** Seconds; 0 turns keep alive off. Default 60. */
  keepAliveSec?: number;
  /** Default true. With false the broker keeps subscriptions and queued messages across reconnects. */
  cleanSession?: boolean;
  /** 4 (MQTT 3.1.1, default) or 3 (MQTT 3.1, "MQIsdp", for old brokers). */
  protocolLevel?: number;
  will?: WillOptions | null;
  /** How long opening the link plus CONNACK may take. Default 10 s. */
  connectTimeoutMs?: number;
  /**
   * How long a PINGREQ may go unanswered before the link counts as dead. Default keep alive / 2, so a
   * stalled link is noticed within 1.5x keep alive of the last packet.
   */
  pingTimeoutMs?: number;
  /** Reconnect delays: exponential with jitter between these. Defaults 1 s and 60 s. */
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
  /** A connection that stayed up this long resets the reconnect delay to the minimum. Default 30 s. */
  stableMs?: number;
  /** Outgoing QoS 1/2 messages awaiting acknowledgement. Default 8. */
  inflight?: number;
  /** Largest packet sent (TX buffer and each in-flight slot) and received (RX buffer). Default 1024. */
  maxPacketBytes?: number;
  /**
   * Largest QoS 1/2 PUBLISH, the size of each in-flight slot. Default maxPacketBytes. An application whose
   * large messages are all QoS 0 (telemetry) keeps its slots small: they hold only what may be resent.
   */
  inflightBytes?: number;
  rxBytes?: number;
  /** Bytes kept for QoS 1/2 messages published while disconnected (7 + topic + payload each). Default 4096. */
  offlineBytes?: number;
  /** Subscription table size. Default 16. */
  subscriptions?: number;
  /**
   * The highest QoS the client subscribes with: 2 (default), 1 or 0. Below 2 the client keeps no QoS 2
   * receive state (an 8 KB id set; about 590 JsVars on Espruino), subscribe() refuses QoS 2, and a QoS 2
   * PUBLISH from the broker is a protocol error that ends the connection [MQTT-3.8.4-6].
   */
  maxQos?: number;
  /**
   * Default true: each message is matched against the subscriptions, and onMessage gets the first
   * matching one's index. false: onMessage gets -1 without that work, for an application that routes by
   * topic itself (the device looks its command topics up as strings).
   */
  matchTopics?: boolean;
  /** [0, 1) random source for reconnect jitter; Math.random by default. */
  random?: () => number;
}

/** ClientOptions with every default filled in. */
export interface ResolvedOptions {
  clientId: string;
  username: string | null;
  password: string | null;
  keepAliveSec: number;
  cleanSession: boolean;
  protocolLevel: number;
  will: WillOptions | null;
  connectTimeoutMs: number;
  pingTimeoutMs: number;
  reconnectMinMs: number;
  reconnectMaxMs: number;
  stableMs: number;
  inflight: number;
  maxPacketBytes: number;
  inflightBytes: number;
  rxBytes: number;
  offlineBytes: number;
  subscriptions: number;
  maxQos: number;
  matchTopics: boolean;
  random: () => number;
}

function pick(v: number | undefined, d: number): number {
  return v === undefined ? d : v;
}

/** resolveOptions(o) -> o with defaults. Start-up only. */
export function resolveOptions(o: ClientOptions): ResolvedOptions {
  const keepAliveSec = pick(o.keepAliveSec, 60);
  const maxPacketBytes = pick(o.maxPacketBytes, 1024);
  return {
    clientId: o.clientId,
    username: o.username === undefined ? null : o.username,
    password: o.password === undefined ? null : o.password,
    keepAliveSec: keepAliveSec,
    cleanSession: o.cleanSession === undefined ? true : o.cleanSession,
    protocolLevel: pick(o.protocolLevel, 4),
    will: o.will === undefined ? null : o.will,
    connectTimeoutMs: pick(o.connectTimeoutMs, 10000),
    pingTimeoutMs: pick(o.pingTimeoutMs, keepAliveSec * 500),
    reconnectMinMs: pick(o.reconnectMinMs, 1000),
    reconnectMaxMs: pick(o.reconnectMaxMs, 60000),
    stableMs: pick(o.stableMs, 30000),
    inflight: pick(o.inflight, 8),
    maxPacketBytes: maxPacketBytes,
    inflightBytes: pick(o.inflightBytes, maxPacketBytes),
    rxBytes: pick(o.rxBytes, maxPacketBytes),
    offlineBytes: pick(o.offlineBytes, 4096),
    subscriptions: pick(o.subscriptions, 16),
    maxQos: pick(o.maxQos, 2),
    matchTopics: o.matchTopics === undefined ? true : o.matchTopics,
    random: o.random === undefined ? Math.random : o.random,
  };
}
