import { createHash } from 'node:crypto';

/**
 * A seeded, platform-independent random stream: SHA-256 in counter mode over (seed, stream name).
 * Every generated message gets its own stream (`msg:<index>`), so message N is the same bytes
 * whatever else was generated, in whatever order: a tally line can be reproduced with
 * `--seed S --only N`.
 */
export class Rng {
  private block = Buffer.alloc(0);
  private pos = 0;
  private counter = 0;

  constructor(
    private readonly seed: string,
    private readonly stream: string,
  ) {}

  private refill(): void {
    this.block = createHash('sha256').update(`${this.seed}\0${this.stream}\0${this.counter++}`).digest();
    this.pos = 0;
  }

  /** A uniform 32-bit unsigned integer. */
  u32(): number {
    if (this.pos + 4 > this.block.length) this.refill();
    const v = this.block.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  /** A float in [0, 1). */
  float(): number {
    return this.u32() / 0x1_0000_0000;
  }

  /** An integer in [lo, hi], both included. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.float() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(xs: readonly T[]): T {
    if (!xs.length) throw new Error('pick from an empty list');
    return xs[this.int(0, xs.length - 1)];
  }

  /** `n` pseudo-random bytes (one random 4 KiB block repeated: cheap for megabytes). */
  bytes(n: number): Buffer {
    const out = Buffer.allocUnsafe(n);
    const blk = Buffer.allocUnsafe(4096);
    for (let i = 0; i < blk.length; i += 4) blk.writeUInt32LE(this.u32(), i);
    for (let o = 0; o < n; o += blk.length) blk.copy(out, o, 0, Math.min(blk.length, n - o));
    return out;
  }

  /** A child stream, independent of how much of this one is consumed later. */
  fork(name: string): Rng {
    return new Rng(this.seed, `${this.stream}/${name}`);
  }
}
