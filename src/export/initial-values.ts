/**
 * Seeded initial values for parameters that `--skip-mismatch` leaves out of the checkpoint
 * (PaddleSeg keeps the startup program's initial value, spec §5.2). Batch-norm scales and
 * variances start at 1, offsets, means and biases at 0, and conv weights get a uniform
 * Xavier-style draw from a generator seeded by the parameter name, so an export is
 * reproducible byte for byte.
 */
import type { ParamSpec } from '../program/program.js';

/** FNV-1a hash of a string, the seed of {@link initialValue}. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** mulberry32: a small deterministic generator of floats in [0, 1). */
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

/** The initial value of `p`: ones, zeros, or seeded uniform ±√(6/(fan_in+fan_out)) for weights. */
export function initialValue(p: ParamSpec): Float32Array {
  const n = p.dims.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  if (p.init === 'ones') return out.fill(1);
  if (p.init === 'zeros') return out;
  const receptive = p.dims.slice(2).reduce((a, b) => a * b, 1);
  const fanIn = (p.dims[1] ?? 1) * receptive;
  const fanOut = (p.dims[0] ?? 1) * receptive;
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  const rnd = seededRandom(hash(p.name));
  for (let i = 0; i < n; i++) out[i] = (rnd() * 2 - 1) * limit;
  return out;
}
