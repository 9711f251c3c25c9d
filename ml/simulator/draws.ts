/**
 * The simulator's luck, keyed rather than streamed: every draw is a pure function of (world seed, shopper,
 * what it is for, ordinal). So every policy compared on the same shoppers meets the same luck — a shopper's
 * organic return is drawn once, and the k-th message sent to a shopper gets the k-th message's response and
 * unsubscribe draws whatever policy sent it (common random numbers) — and no draw depends on how many others
 * were made before it.
 */

/** What a keyed draw is for; each has its own stream. */
export const DrawKind = {
  shopper: 1,
  organicChance: 2,
  organicDelay: 3,
  response: 4,
  responseDelay: 5,
  unsubscribe: 6,
  open: 7,
  openDelay: 8,
  click: 9,
  holdout: 10,
  variant: 11,
} as const;
export type DrawKind = (typeof DrawKind)[keyof typeof DrawKind];

/** murmur3's finaliser: a cheap 32-bit mix with good avalanche. */
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A 32-bit key from any number of integers. */
export function keyOf(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) h = fmix((h ^ (part >>> 0)) + 0x7f4a7c15 + ((part / 4294967296) >>> 0));
  return h;
}

/** A uniform in [0, 1) fixed by the key (53 bits: two mixes). */
export function keyedUniform(...parts: number[]): number {
  const a = keyOf(...parts);
  const b = fmix(a ^ 0x27d4eb2f);
  return ((a >>> 5) * 67108864 + (b >>> 6)) / 9007199254740992;
}

/** Acklam's inverse of the standard normal CDF (relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
  const q = Math.min(Math.max(p, 1e-12), 1 - 1e-12);
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  if (q < 0.02425) {
    const r = Math.sqrt(-2 * Math.log(q));
    return (((((c[0] * r + c[1]) * r + c[2]) * r + c[3]) * r + c[4]) * r + c[5]) / ((((d[0] * r + d[1]) * r + d[2]) * r + d[3]) * r + 1);
  }
  if (q > 1 - 0.02425) {
    const r = Math.sqrt(-2 * Math.log(1 - q));
    return -(((((c[0] * r + c[1]) * r + c[2]) * r + c[3]) * r + c[4]) * r + c[5]) / ((((d[0] * r + d[1]) * r + d[2]) * r + d[3]) * r + 1);
  }
  const r = q - 0.5;
  const s = r * r;
  return ((((((a[0] * s + a[1]) * s + a[2]) * s + a[3]) * s + a[4]) * s + a[5]) * r) / (((((b[0] * s + b[1]) * s + b[2]) * s + b[3]) * s + b[4]) * s + 1);
}

/** The standard normal CDF (Abramowitz & Stegun 7.1.26 on erf, absolute error < 1.5e-7). */
export function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-z * z);
  return x >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/** A log-normal delay in hours from a uniform: the median scaled by exp(sigma · z). */
export function lognormalHours(delay: { median_hours: number; sigma: number }, u: number): number {
  return delay.median_hours * Math.exp(delay.sigma * normalQuantile(u));
}

/** P(delay ≤ hours) of a log-normal delay. */
export function lognormalCdf(delay: { median_hours: number; sigma: number }, hours: number): number {
  if (!(hours > 0)) return 0;
  if (delay.sigma === 0) return hours >= delay.median_hours ? 1 : 0;
  return normalCdf(Math.log(hours / delay.median_hours) / delay.sigma);
}
