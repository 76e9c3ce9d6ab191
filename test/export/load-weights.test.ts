/**
 * The weight loader on an in-memory checkpoint: bytes land in the initializers (viewed,
 * not copied), a non-float32 variable is WEIGHT_FORMAT, and `skipMismatch` keeps the
 * documented initial values (ones for scales/variances, zeros for offsets/means/biases).
 */
import { describe, expect, test } from 'vitest';
import { isPdsegError } from '../../src/errors.js';
import { loadWeights, type WeightSource } from '../../src/export/load-weights.js';
import type { TensorProto } from '../../src/onnx/types.js';
import type { ParamSpec } from '../../src/program/program.js';

function source(
  vars: Record<string, { dims: number[]; dtype: string; data: ArrayBufferView }>,
): WeightSource {
  return {
    names: () => Object.keys(vars),
    has: (n) => n in vars,
    info: (n) => (vars[n] ? { name: n, dims: vars[n].dims, dtype: vars[n].dtype } : undefined),
    read: async (n) => vars[n]!,
  };
}

const params: ParamSpec[] = [
  { name: 'a_weights', dims: [2, 1, 1, 1], init: 'weights' },
  { name: 'bn_a_scale', dims: [2], init: 'ones' },
  { name: 'bn_a_offset', dims: [2], init: 'zeros' },
];

function inits(): TensorProto[] {
  return params.map((p) => ({ name: p.name, dims: [...p.dims], dataType: 1 }));
}

describe('loadWeights', () => {
  test('puts each tensor’s bytes into its initializer without copying', async () => {
    const w = Float32Array.of(0.5, -0.5);
    const t = inits();
    const r = await loadWeights(
      params,
      t,
      source({
        a_weights: { dims: [2, 1, 1, 1], dtype: 'float32', data: w },
        bn_a_scale: { dims: [2], dtype: 'float32', data: Float32Array.of(1, 2) },
        bn_a_offset: { dims: [2], dtype: 'float32', data: Float32Array.of(3, 4) },
        momentum_0: { dims: [1], dtype: 'float32', data: Float32Array.of(0) },
      }),
      { checkpointPath: 'mem' },
    );
    expect(r).toMatchObject({ loaded: 3, skipped: [], unused: ['momentum_0'], bytes: 24 });
    expect(t[0]!.rawData!.buffer).toBe(w.buffer);
    expect(Array.from(new Float32Array(t[2]!.rawData!.slice().buffer))).toEqual([3, 4]);
  });

  test('a float64 variable is WEIGHT_FORMAT naming it; skipMismatch keeps initial values', async () => {
    const vars = {
      a_weights: { dims: [2, 1, 1, 1], dtype: 'float64', data: Float64Array.of(1, 2) },
      bn_a_offset: { dims: [3], dtype: 'float32', data: Float32Array.of(1, 2, 3) },
    };
    let caught: unknown;
    try {
      await loadWeights(params, inits(), source(vars), { checkpointPath: 'mem' });
    } catch (e) {
      caught = e;
    }
    expect(isPdsegError(caught, 'WEIGHT_FORMAT')).toBe(true);
    expect((caught as Error).message).toContain('"a_weights" in "mem" is float64');
    const t = inits();
    const warnings: string[] = [];
    const r = await loadWeights(params, t, source(vars), {
      checkpointPath: 'mem',
      skipMismatch: true,
      onEvent: (e) => {
        if (e.type === 'warn') warnings.push(e.message);
      },
    });
    expect(r.skipped).toEqual(['a_weights', 'bn_a_scale', 'bn_a_offset']);
    expect(warnings.map((m) => m.split(':')[0])).toEqual([
      '[SKIP] a_weights',
      '[SKIP] bn_a_scale',
      '[SKIP] bn_a_offset',
    ]);
    expect(Array.from(new Float32Array(t[1]!.rawData!.slice().buffer))).toEqual([1, 1]);
    expect(Array.from(new Float32Array(t[2]!.rawData!.slice().buffer))).toEqual([0, 0]);
    const weights = new Float32Array(t[0]!.rawData!.slice().buffer);
    // Xavier-uniform bound √(6/(fan_in+fan_out)) = √(6/3) for a [2,1,1,1] filter.
    expect(weights.every((v) => Math.abs(v) <= Math.sqrt(2) && v !== 0)).toBe(true);
  });
});
