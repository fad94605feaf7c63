// MQTT 3.1.1 control packet types (fixed header byte 1, bits 7-4).
export const CONNECT = 1;
export const CONNACK = 2;
export const PUBLISH = 3;
export const PUBACK = 4;
export const PUBREC = 5;
export const PUBREL = 6;
export const PUBCOMP = 7;
export const SUBSCRIBE = 8;
export const SUBACK = 9;
export const UNSUBSCRIBE = 10;
export const UNSUBACK = 11;
export const PINGREQ = 12;
export const PINGRESP = 13;
export const DISCONNECT = 14;

export const PACKET_NAMES = [
  "RESERVED0", "CONNECT", "CONNACK", "PUBLISH", "PUBACK", "PUBREC", "PUBREL", "PUBCOMP",
  "SUBSCRIBE", "SUBACK", "UNSUBSCRIBE", "UNSUBACK", "PINGREQ", "PINGRESP", "DISCONNECT", "RESERVED15",
];

/** Largest remaining length the 4-byte variable-length field can carry (section 2.2.3). */
export const MAX_REMAINING_LENGTH = 268435455;

/** SUBACK return code for a refused subscription. */
export const SUBACK_FAILURE = 0x80;

// CONNACK return codes (section 3.2.2.3).
export const CONNACK_ACCEPTED = 0;
export const CONNACK_BAD_PROTOCOL = 1;
export const CONNACK_ID_REJECTED = 2;
export const CONNACK_SERVER_UNAVAILABLE = 3;
export const CONNACK_BAD_CREDENTIALS = 4;
export const CONNACK_NOT_AUTHORIZED = 5;
