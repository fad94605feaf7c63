// A seeded source of [0, 1) numbers (mulberry32) for the boards' reconnect jitter, so a scenario on
// virtual time runs the same way every time: the same backoff delays, the same retry instants.

/** seededRandom(seed) -> a function returning the same sequence of [0, 1) numbers for the same seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
