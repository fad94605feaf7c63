// What the allocation check's child process runs, shared with the test that checks its numbers.
// No side effects: both test/mqtt/alloc-child.ts and test/mqtt/alloc.test.ts import it.

/** The measured PUBLISH: QoS 1, a 34-byte topic, a 40-byte payload whose byte 0 is the cycle number. */
export const TOPIC = "relaymq/esp32-01/sensors/temp/1234";
export const PAYLOAD_LEN = 40;
export function payloadByte(k: number): number {
  return (k * 7 + 3) & 0xff;
}

export const CYCLES = {
  publish: 1_000_000,
  publishSplit: 200_000,
  puback: 200_000,
  topicMatches: 200_000,
  subscribe: 200_000,
  control: 200_000,
};

/** Checksums are kept below 2^30 so they stay small integers (a heap number would allocate). */
export const MASK = 0x3fffffff;

/** Expected checksum of n PUBLISH cycles: the payload bytes summed, byte 0 being (cycle & 0xff). */
export function publishChecksum(n: number): number {
  let base = 0;
  for (let k = 1; k < PAYLOAD_LEN; k++) base += payloadByte(k);
  let sum = n * base;
  for (let i = 0; i < n; i++) sum += i & 0xff;
  return sum % (MASK + 1);
}

/** Expected checksum of n PUBACK cycles: the packet ids (1, 2, ... 65535, 1, ...) summed. */
export function pubackChecksum(n: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += (i % 65535) + 1;
  return sum % (MASK + 1);
}

/** topicMatches pairs [topic, filter, matches]; cycle i uses pair i % length. */
export const MATCH_PAIRS: [string, string, boolean][] = [
  ["relaymq/esp32-01/relay/pump/set", "relaymq/+/relay/+/set", true],
  ["relaymq/esp32-01/relay/pump/set", "relaymq/#", true],
  ["relaymq/esp32-01/relay/pump/set", "relaymq/esp32-02/#", false],
  ["relaymq/esp32-01/relay/pump/set", "relaymq/esp32-01/relay/pump/set", true],
  ["relaymq/esp32-01/relay/pump/state", "relaymq/esp32-01/relay/pump/set", false],
  ["$SYS/broker/load", "#", false],
  ["$SYS/broker/load", "$SYS/#", true],
  ["sport", "sport/#", true],
  ["sport/tennis/player1", "sport/+", false],
  ["/finance", "+/+", true],
  ["/finance", "+", false],
];
export function matchChecksum(n: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) if (MATCH_PAIRS[i % MATCH_PAIRS.length][2]) sum++;
  return sum;
}

/** The SUBSCRIBE decoded in the subscribe phase; its checksum per cycle is the filters' lengths plus QoS. */
export const SUB_FILTERS: [string, number][] = [
  ["relaymq/esp32-01/relay/+/set", 1],
  ["relaymq/esp32-01/cmd/#", 2],
  ["relaymq/broadcast", 0],
];
export function subscribeChecksum(n: number): number {
  let per = 0;
  for (const [f, q] of SUB_FILTERS) per += f.length + q;
  return (n * per) % (MASK + 1);
}
