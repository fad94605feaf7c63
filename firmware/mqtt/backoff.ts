// Reconnect delays: exponential from min to max with jitter over the upper half of each step, so a fleet
// that lost its broker together does not come back in lockstep.

export class Backoff {
  tries = 0;
  private readonly minMs: number;
  private readonly maxMs: number;
  private readonly random: () => number;

  /** new Backoff(minMs, maxMs, random): random() returns [0, 1). */
  constructor(minMs: number, maxMs: number, random: () => number) {
    this.minMs = minMs;
    this.maxMs = maxMs;
    this.random = random;
  }

  /**
   * next() -> the delay before the next attempt, within [min, max]: the n-th is drawn from
   * [min*2^n, min*2^(n+1)], capped to [max/2, max] (never below min).
   */
  next(): number {
    let hi = this.minMs * 2;
    for (let i = 0; i < this.tries && hi < this.maxMs; i++) hi *= 2;
    return this.draw(hi);
  }

  /** longest() -> a delay at the top of the range, for refusals that retrying soon cannot fix. */
  longest(): number {
    return this.draw(this.maxMs);
  }

  private draw(hi: number): number {
    if (hi > this.maxMs) hi = this.maxMs;
    let lo = hi / 2;
    if (lo < this.minMs) lo = this.minMs;
    if (lo > hi) lo = hi;
    this.tries++;
    return lo + this.random() * (hi - lo);
  }

  reset(): void {
    this.tries = 0;
  }
}
