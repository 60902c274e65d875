// Seeded randomness. Every stream of draws (one per arrival stream, one per worker, one for classification) has its
// own generator derived from the scenario seed and a name, so a change in routing never shifts the arrivals or
// handle times another stream sees: before and after face exactly the same callers.

/** 32-bit FNV-1a of a string, to derive stream seeds from names. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** sfc32: a small, fast generator with a 128-bit state; uniform [0, 1) with 32 bits of resolution. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number, stream: string) {
    this.a = hash32(`a:${seed}:${stream}`);
    this.b = hash32(`b:${seed}:${stream}`);
    this.c = hash32(`c:${seed}:${stream}`);
    this.d = 1;
    for (let i = 0; i < 12; i++) this.next();
  }

  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  /** Exponential with the given mean (inverse transform; 1 - u avoids log(0)). */
  exponential(mean: number): number {
    return -mean * Math.log(1 - this.next());
  }

  /** Standard normal (Box-Muller, one value per call so the draw count per sample is fixed). */
  normal(): number {
    const u1 = 1 - this.next();
    const u2 = this.next();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }
}

/** A duration in seconds: fixed, exponential, or lognormal given by its own mean and standard deviation. */
export type Duration =
  { fixed: number } | { exponential: { mean: number } } | { lognormal: { mean: number; sd: number } };

export function sampleDuration(d: Duration, rng: Rng): number {
  if ("fixed" in d) return d.fixed;
  if ("exponential" in d) return rng.exponential(d.exponential.mean);
  // Convert the distribution's mean and sd into the underlying normal's mu and sigma.
  const { mean, sd } = d.lognormal;
  const sigma2 = Math.log(1 + (sd * sd) / (mean * mean));
  const mu = Math.log(mean) - sigma2 / 2;
  return Math.exp(mu + Math.sqrt(sigma2) * rng.normal());
}

export function meanOf(d: Duration): number {
  if ("fixed" in d) return d.fixed;
  if ("exponential" in d) return d.exponential.mean;
  return d.lognormal.mean;
}
