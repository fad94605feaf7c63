// What a scenario expects of a message the board published: its topic (a topic or an MQTT filter with
// + and #), and optionally its payload (exact text, a regular expression, or a JSON document that must
// contain the given one), its retain flag and its QoS, as the board sent them.
import { topicMatches, validateTopicFilter, OK, errorRule } from "../../firmware/mqtt";
import { utf8Bytes } from "../../firmware/mqtt/utf8";
import type { DeviceConfig } from "../../firmware/device/config";

export interface MessageMatch {
  /** A topic, or a filter with + and # (the board's own topics: {prefix} and {id} are expanded). */
  topic: string;
  /** The payload, exactly. */
  payload?: string;
  /** A regular expression the payload must match (JavaScript syntax, unanchored). */
  match?: string;
  /** The payload is JSON containing this: objects may have more keys, arrays match element by element. */
  json?: unknown;
  /** The retain flag the board set. */
  retained?: boolean;
  /** The QoS the board sent it with. */
  qos?: number;
}

/** A PUBLISH the board sent, as the simulator read it off the wire. */
export interface BoardMessage {
  /** Board time, ms since the session started. */
  t: number;
  topic: string;
  payload: string;
  qos: number;
  retain: boolean;
}

/** expandTopic(t, config) -> t with the board's {prefix} and {id} filled in. */
export function expandTopic(t: string, config: DeviceConfig): string {
  return t.split("{prefix}").join(config.topics.prefix).split("{id}").join(config.id);
}

/** checkMatch(m) -> a message saying what is wrong with the match (a bad filter or regex), or null. */
export function checkMatch(m: MessageMatch): string | null {
  if (m.topic.length === 0) return "topic is empty";
  const f = utf8Bytes(m.topic);
  const code = validateTopicFilter(f, 0, f.length);
  if (code !== OK) return `topic "${m.topic}" is not a topic or filter: ${errorRule(code)}`;
  const kinds = [m.payload, m.match, m.json].filter((x) => x !== undefined).length;
  if (kinds > 1) return "give one of payload, match and json";
  if (m.match !== undefined) {
    try {
      new RegExp(m.match);
    } catch (e) {
      return `match: ${(e as Error).message}`;
    }
  }
  if (m.qos !== undefined && ![0, 1, 2].includes(m.qos)) return `qos ${m.qos}: must be 0, 1 or 2`;
  return null;
}

/** topicMatchesFilter(topic, filter) -> whether an MQTT filter (or the same topic) covers the topic. */
export function topicMatchesFilter(topic: string, filter: string): boolean {
  const t = utf8Bytes(topic);
  const f = utf8Bytes(filter);
  return topicMatches(t, 0, t.length, f, 0, f.length);
}

/** matches(m, msg) -> whether the message is one the match asks for. */
export function matches(m: MessageMatch, msg: BoardMessage): boolean {
  if (!topicMatchesFilter(msg.topic, m.topic)) return false;
  if (m.retained !== undefined && msg.retain !== m.retained) return false;
  if (m.qos !== undefined && msg.qos !== m.qos) return false;
  if (m.payload !== undefined) return msg.payload === m.payload;
  if (m.match !== undefined) return new RegExp(m.match).test(msg.payload);
  if (m.json !== undefined) {
    let doc: unknown;
    try {
      doc = JSON.parse(msg.payload);
    } catch {
      return false;
    }
    return jsonContains(doc, m.json);
  }
  return true;
}

/**
 * jsonContains(doc, want) -> whether doc holds want: an object holds every key of want with a value
 * that holds its value; an array has want's length and holds each element; anything else is equal.
 */
export function jsonContains(doc: unknown, want: unknown): boolean {
  if (Array.isArray(want)) {
    return Array.isArray(doc) && doc.length === want.length && want.every((w, i) => jsonContains(doc[i], w));
  }
  if (want !== null && typeof want === "object") {
    if (doc === null || typeof doc !== "object" || Array.isArray(doc)) return false;
    const d = doc as Record<string, unknown>;
    return Object.entries(want).every(([k, v]) => Object.prototype.hasOwnProperty.call(d, k) && jsonContains(d[k], v));
  }
  return doc === want;
}

/** describeMatch(m) -> `devices/x/status "online" retained qos 1`, for step lines. */
export function describeMatch(m: MessageMatch): string {
  const parts = [m.topic];
  if (m.payload !== undefined) parts.push(JSON.stringify(m.payload));
  if (m.match !== undefined) parts.push(`matching /${m.match}/`);
  if (m.json !== undefined) parts.push(`with JSON ${JSON.stringify(m.json)}`);
  if (m.retained !== undefined) parts.push(m.retained ? "retained" : "not retained");
  if (m.qos !== undefined) parts.push(`qos ${m.qos}`);
  return parts.join(" ");
}

/** describeMessage(msg) -> `t=0.021s devices/x/status "online" qos 1 retained`. */
export function describeMessage(msg: BoardMessage): string {
  const payload = msg.payload.length > 120 ? JSON.stringify(msg.payload.slice(0, 120)) + `... (${msg.payload.length} chars)` : JSON.stringify(msg.payload);
  return `t=${(msg.t / 1000).toFixed(3)}s ${msg.topic} ${payload} qos ${msg.qos}${msg.retain ? " retained" : ""}`;
}
