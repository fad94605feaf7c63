// A small seeded random source (sfc32), so every stream a fuzz run makes is reproducible from the run's
// seed and the stream's number alone.

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** new Rng(seed, stream): the generator for one stream of one run. */
  constructor(seed: number, stream = 0) {
    // splitmix32 spreads the two numbers over the whole state.
    let h = (seed ^ 0x9e3779b9) >>> 0;
    const mix = () => {
      h = (h + 0x9e3779b9) >>> 0;
      let z = h ^ Math.imul(stream + 1, 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 16), 0x21f0657f);
      z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
      return (z ^ (z >>> 15)) >>> 0;
    };
    this.a = mix();
    this.b = mix();
    this.c = mix();
    this.d = mix();
    for (let i = 0; i < 12; i++) this.u32();
  }

  /** u32() -> a uniform 32-bit unsigned integer. */
  u32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** int(n) -> 0 .. n-1. */
  int(n: number): number {
    return Math.floor((this.u32() / 4294967296) * n);
  }

  /** range(lo, hi) -> lo .. hi, both included. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  /** chance(p) -> true with probability p. */
  chance(p: number): boolean {
    return this.u32() / 4294967296 < p;
  }

  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }

  /** weighted([[w, x], ...]) -> one x, with probability proportional to its weight. */
  weighted<T>(choices: ReadonlyArray<readonly [number, T]>): T {
    let total = 0;
    for (const [w] of choices) total += w;
    let r = (this.u32() / 4294967296) * total;
    for (const [w, x] of choices) {
      if (r < w) return x;
      r -= w;
    }
    return choices[choices.length - 1][1];
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.u32() & 0xff;
    return out;
  }
}
