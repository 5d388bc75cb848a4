// Seeded PRNG: sfc32 (Chris Doty-Humphrey's Small Fast Chaotic generator, 128-bit state, passes
// PractRand), seeded through splitmix32. Pure TypeScript, no Node built-ins.
//
// `fork(...keys)` derives a stream from (seed, keys) only, never from how many numbers were already
// drawn: augmentation of sample i, epoch e, view v is `root.fork(e, i, v)` in whichever worker runs it.

const GOLDEN = 0x9e3779b9;

/** murmur3's 32-bit finaliser: a bijective avalanche mix. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Folds a safe integer (possibly negative or above 2^32) into a 32-bit hash state. */
function mixKey(h: number, key: number): number {
  if (!Number.isSafeInteger(key)) throw new RangeError(`Rng key must be a safe integer, got ${key}`);
  const lo = key >>> 0;
  const hi = Math.floor(key / 0x100000000) >>> 0;
  h = fmix32((h ^ lo) + GOLDEN);
  return fmix32((h ^ hi) + Math.imul(GOLDEN, 3));
}

export class Rng {
  /** 32-bit word this stream was seeded from; forks derive from it. */
  private root: number;
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    this.root = mixKey(0x2545f491, seed);
    // splitmix32 expands the 32-bit seed into the 4-word sfc32 state.
    let s = this.root;
    const split = (): number => {
      s = (s + GOLDEN) >>> 0;
      return fmix32(s);
    };
    this.a = split();
    this.b = split();
    this.c = split();
    this.d = 1;
    for (let i = 0; i < 12; i++) this.nextU32(); // discard warm-up outputs
  }

  /** The 32-bit seed word (a hash of the constructor's seed). */
  get seed(): number {
    return this.root;
  }

  /** Next raw 32-bit unsigned integer. */
  nextU32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  next(): number {
    return this.nextU32() / 0x100000000;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (!(n >= 1) || !Number.isInteger(n)) throw new RangeError(`Rng.int needs an integer n >= 1, got ${n}`);
    return Math.floor(this.next() * n);
  }

  /** Uniform in [a, b). */
  uniform(a: number, b: number): number {
    return a + (b - a) * this.next();
  }

  /** Standard normal (Box-Muller; one of the pair is dropped so the state stays a pure sequence). */
  normal(): number {
    const u = 1 - this.next(); // (0, 1]: log(u) finite
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** In-place Fisher-Yates shuffle. */
  shuffle<T extends { length: number; [i: number]: unknown }>(items: T): T {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i];
      items[i] = items[j];
      items[j] = tmp;
    }
    return items;
  }

  /** [seed, a, b, c, d]: enough to resume this stream exactly (checkpoints store it). */
  state(): number[] {
    return [this.root, this.a >>> 0, this.b >>> 0, this.c >>> 0, this.d >>> 0];
  }

  static fromState(s: readonly number[]): Rng {
    if (s.length !== 5 || s.some((v) => !Number.isInteger(v) || v < 0 || v > 0xffffffff)) {
      throw new RangeError(`Rng.fromState expects 5 uint32 words, got [${s.join(', ')}]`);
    }
    const rng = new Rng(0);
    const [seed, a, b, c, d] = s as [number, number, number, number, number];
    rng.root = seed;
    rng.a = a | 0;
    rng.b = b | 0;
    rng.c = c | 0;
    rng.d = d | 0;
    return rng;
  }

  /** Independent stream determined by (this.seed, keys) alone. */
  fork(...keys: number[]): Rng {
    let h = fmix32(this.root ^ 0x6a09e667);
    for (const k of keys) h = mixKey(h, k);
    return new Rng(mixKey(h, keys.length));
  }
}
