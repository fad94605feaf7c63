// Reconnect delays: exponential from min to max with "equal jitter" (half fixed, half random), so a fleet
// that lost its broker together does not come back in lockstep.

export class Backoff {
  attempt = 0;
  private readonly minMs: number;
  private readonly maxMs: number;
  private readonly random: () => number;

  /** new Backoff(minMs, maxMs, random): random() returns [0, 1). */
  constructor(minMs: number, maxMs: number, random: () => number) {
    this.minMs = minMs;
    this.maxMs = maxMs;
    this.random = random;
  }

  /** next() -> the delay before the next attempt; each call doubles the base up to max. */
  next(): number {
    let base = this.minMs;
    for (let i = 0; i < this.attempt && base < this.maxMs; i++) base *= 2;
    if (base > this.maxMs) base = this.maxMs;
    this.attempt++;
    return base / 2 + this.random() * (base / 2);
  }

  /** longest() -> a delay at the maximum, for refusals that retrying soon cannot fix. */
  longest(): number {
    this.attempt++;
    return this.maxMs / 2 + this.random() * (this.maxMs / 2);
  }

  reset(): void {
    this.attempt = 0;
  }
}
