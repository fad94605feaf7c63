// The one table of error codes for the MQTT engine. Hot paths return these negative numbers instead of
// throwing (Espruino's Error objects are unreliable and allocate); edges turn them into text with
// errorName()/errorRule().

export const OK = 0;

// Encoding (caller's data or buffer).
export const E_BUFFER_TOO_SMALL = -1;
export const E_STRING_TOO_LONG = -2;
export const E_PACKET_TOO_LARGE = -3;
export const E_QOS_INVALID = -4;
export const E_PACKET_ID = -5;
export const E_TOPIC_EMPTY = -6;
export const E_TOPIC_WILDCARD = -7;
export const E_FILTER_HASH = -8;
export const E_FILTER_PLUS = -9;
export const E_UTF8_INVALID = -10;
export const E_UTF8_NULL = -11;
export const E_SUBSCRIBE_EMPTY = -12;
export const E_UNSUBSCRIBE_EMPTY = -13;
export const E_RETURN_CODE_INVALID = -14;
export const E_PROTOCOL_LEVEL = -15;
export const E_BAD_ARGUMENT = -16;
export const E_CLIENT_ID = -17;

// Decoding (bytes from the network).
export const E_REMAINING_LENGTH = -20;
export const E_PACKET_TYPE_RESERVED = -21;
export const E_HEADER_FLAGS = -22;
export const E_DUP_QOS0 = -23;
export const E_LENGTH_MISMATCH = -24;
export const E_FIELD_OVERRUN = -25;
export const E_CONNACK_FLAGS = -26;
export const E_CONNACK_SESSION_PRESENT = -27;
export const E_PROTOCOL_NAME = -28;
export const E_CONNECT_RESERVED = -29;
export const E_WILL_FLAGS = -30;
export const E_PASSWORD_WITHOUT_USERNAME = -31;
export const E_TRAILING_BYTES = -32;
export const E_SUBSCRIBE_QOS = -33;
export const E_RX_OVERFLOW = -34;

// The client's session (client.ts) and the transport underneath it.
export const E_INFLIGHT_FULL = -41;
export const E_OFFLINE_FULL = -42;
export const E_QOS0_OFFLINE = -43;
export const E_CONNACK_TIMEOUT = -44;
export const E_PING_TIMEOUT = -45;
export const E_REFUSED_PROTOCOL = -46;
export const E_REFUSED_IDENTIFIER = -47;
export const E_REFUSED_UNAVAILABLE = -48;
export const E_REFUSED_CREDENTIALS = -49;
export const E_REFUSED_NOT_AUTHORIZED = -50;
export const E_CONNECTION_LOST = -51;
export const E_CONNECT_FAILED = -52;
export const E_UNEXPECTED_PACKET = -53;
export const E_SUBSCRIPTIONS_FULL = -54;
export const E_STOPPED = -56;
export const E_QOS_NOT_GRANTED = -57;
export const E_WRITE_FAILED = -58;
export const E_STORED_LOST = -59;

// [code, name, rule]: read only at edges (the analyzer, logs), never on a hot path.
const TABLE: [number, string, string][] = [
  [E_BUFFER_TOO_SMALL, "BUFFER_TOO_SMALL", "the output buffer is too small for the packet"],
  [E_STRING_TOO_LONG, "STRING_TOO_LONG", "a string or binary field is longer than 65,535 bytes [MQTT-1.5.3] [MQTT-4.7.3-3]"],
  [E_PACKET_TOO_LARGE, "PACKET_TOO_LARGE", "remaining length over 268,435,455 bytes (section 2.2.3)"],
  [E_QOS_INVALID, "QOS_INVALID", "QoS must be 0, 1 or 2 [MQTT-3.3.1-4]"],
  [E_PACKET_ID, "PACKET_ID", "packet identifiers are 1-65535, never 0 [MQTT-2.3.1-1]"],
  [E_TOPIC_EMPTY, "TOPIC_EMPTY", "topic names and filters are at least one character long [MQTT-4.7.3-1]"],
  [E_TOPIC_WILDCARD, "TOPIC_WILDCARD", "topic names in PUBLISH must not contain wildcards [MQTT-3.3.2-2] [MQTT-4.7.1-1]"],
  [E_FILTER_HASH, "FILTER_HASH", "'#' must be the last character of a filter, alone in its level [MQTT-4.7.1-2]"],
  [E_FILTER_PLUS, "FILTER_PLUS", "'+' must occupy an entire level of a filter [MQTT-4.7.1-3]"],
  [E_UTF8_INVALID, "UTF8_INVALID", "strings must be well-formed UTF-8 without surrogates [MQTT-1.5.3-1]"],
  [E_UTF8_NULL, "UTF8_NULL", "UTF-8 strings must not contain U+0000 [MQTT-1.5.3-2]"],
  [E_SUBSCRIBE_EMPTY, "SUBSCRIBE_EMPTY", "a SUBSCRIBE payload holds at least one filter [MQTT-3.8.3-3]"],
  [E_UNSUBSCRIBE_EMPTY, "UNSUBSCRIBE_EMPTY", "an UNSUBSCRIBE payload holds at least one filter [MQTT-3.10.3-2]"],
  [E_RETURN_CODE_INVALID, "RETURN_CODE_INVALID", "CONNACK return codes are 0-5; SUBACK return codes are 0x00, 0x01, 0x02 or 0x80 [MQTT-3.9.3-2]"],
  [E_PROTOCOL_LEVEL, "PROTOCOL_LEVEL", "protocol level must be 4 (MQTT) or 3 (MQIsdp) [MQTT-3.1.2-2]"],
  [E_BAD_ARGUMENT, "BAD_ARGUMENT", "an argument is out of range: an offset, length or count that is negative, fractional or past its array, keep alive over 65,535, or a packet type this encoder does not write"],
  [E_CLIENT_ID, "CLIENT_ID", "a zero-byte client id requires clean session [MQTT-3.1.3-7], and MQTT 3.1 (MQIsdp) requires one"],
  [E_REMAINING_LENGTH, "REMAINING_LENGTH", "the remaining length field is at most 4 bytes (section 2.2.3)"],
  [E_PACKET_TYPE_RESERVED, "PACKET_TYPE_RESERVED", "control packet types 0 and 15 are reserved (section 2.2.1)"],
  [E_HEADER_FLAGS, "HEADER_FLAGS", "fixed header flags must be 0000, or 0010 for PUBREL, SUBSCRIBE and UNSUBSCRIBE [MQTT-2.2.2-1] [MQTT-3.6.1-1] [MQTT-3.8.1-1] [MQTT-3.10.1-1]"],
  [E_DUP_QOS0, "DUP_QOS0", "the DUP flag must be 0 for QoS 0 messages [MQTT-3.3.1-2]"],
  [E_LENGTH_MISMATCH, "LENGTH_MISMATCH", "the remaining length does not fit the packet type (CONNACK, PUBACK, PUBREC, PUBREL, PUBCOMP, UNSUBACK: 2; PINGREQ, PINGRESP, DISCONNECT: 0)"],
  [E_FIELD_OVERRUN, "FIELD_OVERRUN", "a field or string length runs past the end of the packet"],
  [E_CONNACK_FLAGS, "CONNACK_FLAGS", "bits 7-1 of the CONNACK acknowledge flags are reserved and must be 0 (section 3.2.2.1)"],
  [E_CONNACK_SESSION_PRESENT, "CONNACK_SESSION_PRESENT", "a refusing CONNACK must have session present 0 [MQTT-3.2.2-4]"],
  [E_PROTOCOL_NAME, "PROTOCOL_NAME", "protocol name must be MQTT (level 4) or MQIsdp (level 3) [MQTT-3.1.2-1]"],
  [E_CONNECT_RESERVED, "CONNECT_RESERVED", "the reserved bit 0 of the CONNECT flags must be 0 [MQTT-3.1.2-3]"],
  [E_WILL_FLAGS, "WILL_FLAGS", "without the will flag, will QoS and retain are 0; will QoS is never 3 [MQTT-3.1.2-11] [MQTT-3.1.2-13] [MQTT-3.1.2-14] [MQTT-3.1.2-15]"],
  [E_PASSWORD_WITHOUT_USERNAME, "PASSWORD_WITHOUT_USERNAME", "the password flag requires the user name flag [MQTT-3.1.2-22]"],
  [E_TRAILING_BYTES, "TRAILING_BYTES", "bytes remain after the last field of the packet"],
  [E_SUBSCRIBE_QOS, "SUBSCRIBE_QOS", "requested QoS must be 0, 1 or 2 with reserved bits 0 [MQTT-3.8.3-4]"],
  [E_RX_OVERFLOW, "RX_OVERFLOW", "the packet is larger than the receive buffer; its bytes were skipped"],
  [E_INFLIGHT_FULL, "INFLIGHT_FULL", "every in-flight slot for QoS 1/2 messages is taken; try again after an acknowledgement"],
  [E_OFFLINE_FULL, "OFFLINE_FULL", "the offline store is full, or the build has none (the board's); the message was dropped"],
  [E_QOS0_OFFLINE, "QOS0_OFFLINE", "a QoS 0 message published while disconnected was dropped"],
  [E_CONNACK_TIMEOUT, "CONNACK_TIMEOUT", "no CONNACK arrived within the connect timeout"],
  [E_PING_TIMEOUT, "PING_TIMEOUT", "nothing answered PINGREQ in time: the link is dead (half-open, or the broker stopped answering)"],
  [E_REFUSED_PROTOCOL, "REFUSED_PROTOCOL", "CONNACK 1: the broker does not support this protocol level"],
  [E_REFUSED_IDENTIFIER, "REFUSED_IDENTIFIER", "CONNACK 2: the broker rejected the client identifier"],
  [E_REFUSED_UNAVAILABLE, "REFUSED_UNAVAILABLE", "CONNACK 3: the MQTT service is unavailable"],
  [E_REFUSED_CREDENTIALS, "REFUSED_CREDENTIALS", "CONNACK 4: bad user name or password"],
  [E_REFUSED_NOT_AUTHORIZED, "REFUSED_NOT_AUTHORIZED", "CONNACK 5: the client is not authorized to connect"],
  [E_CONNECTION_LOST, "CONNECTION_LOST", "the connection closed"],
  [E_CONNECT_FAILED, "CONNECT_FAILED", "the connection could not be opened (refused, unreachable, or name lookup failed)"],
  [E_UNEXPECTED_PACKET, "UNEXPECTED_PACKET", "a packet a client never receives, or one before CONNACK [MQTT-3.2.0-1]"],
  [E_SUBSCRIPTIONS_FULL, "SUBSCRIPTIONS_FULL", "every subscription slot is taken"],
  [E_STOPPED, "STOPPED", "the client was stopped by disconnect()"],
  [E_QOS_NOT_GRANTED, "QOS_NOT_GRANTED", "a PUBLISH arrived at a QoS above any this client subscribes with; a server sends at most the granted QoS [MQTT-3.8.4-6]"],
  [E_WRITE_FAILED, "WRITE_FAILED", "the transport refused a write: the link is dying, so it is closed and opened again"],
  [E_STORED_LOST, "STORED_LOST", "a message kept in Storage (a Home Assistant discovery config) could not be read back, so it was not sent; the next start-up stores it again"],
];

/** errorName(code) -> "SUBSCRIBE_QOS" style name, or "UNKNOWN(<code>)". */
export function errorName(code: number): string {
  for (let i = 0; i < TABLE.length; i++) if (TABLE[i][0] === code) return TABLE[i][1];
  return "UNKNOWN(" + code + ")";
}

/** errorRule(code) -> the rule the code stands for, with the spec's statement id where it has one. */
export function errorRule(code: number): string {
  for (let i = 0; i < TABLE.length; i++) if (TABLE[i][0] === code) return TABLE[i][2];
  return "unknown error code " + code;
}

/** allErrorCodes() -> every code of the table (for tests that check the table is complete). */
export function allErrorCodes(): number[] {
  const out: number[] = [];
  for (let i = 0; i < TABLE.length; i++) out.push(TABLE[i][0]);
  return out;
}
