/**
 * Test helpers for Paddle programs: seeded parameters, the program lowered and run with
 * onnxruntime-node, and the same program run by the naive interpreter of test/reference.
 */
import * as ort from 'onnxruntime-node';
import { expect } from 'vitest';
import { encodeModel } from '../../src/onnx/encode.js';
import { lowerToOnnx } from '../../src/program/lower-onnx.js';
import { feedTargets, type Program, parameters } from '../../src/program/program.js';
import { mulberry32 } from '../fixtures/seeded-weights.js';
import { interpret } from '../reference/paddle-interpreter.js';

/** Seeded values for every parameter of `program`; `*variance`/`*_scale` style names stay positive. */
export function seededParams(
  program: Program,
  seed: number,
): Map<string, { dims: number[]; data: Float32Array }> {
  const rnd = mulberry32(seed);
  const out = new Map<string, { dims: number[]; data: Float32Array }>();
  for (const v of parameters(program)) {
    const n = v.shape.reduce((a, b) => a * b, 1);
    const positive = /variance|var$/.test(v.name);
    const data = Float32Array.from({ length: n }, () => (positive ? 0.5 + rnd() : rnd() * 2 - 1));
    out.set(v.name, { dims: [...v.shape], data });
  }
  return out;
}

/** Runs the lowered program with onnxruntime; returns each graph output. */
export async function runOnnx(
  program: Program,
  params: ReadonlyMap<string, { dims: readonly number[]; data: Float32Array }>,
  feeds: Record<string, { dims: number[]; data: Float32Array }>,
): Promise<Array<{ dims: readonly number[]; data: Float32Array }>> {
  const lowered = lowerToOnnx(program, { name: 'test' });
  for (const [name, t] of lowered.parameters) {
    const p = params.get(name)!;
    t.rawData = new Uint8Array(p.data.buffer, p.data.byteOffset, p.data.byteLength);
  }
  const bytes = encodeModel(lowered.builder.toModel({ producerVersion: 'test', metadata: [] }));
  const session = await ort.InferenceSession.create(bytes);
  const inputs: Record<string, ort.Tensor> = {};
  for (const [name, t] of Object.entries(feeds)) inputs[name] = new ort.Tensor('float32', t.data, t.dims);
  const out = await session.run(inputs);
  return lowered.outputs.map((o) => ({ dims: out[o.name]!.dims, data: out[o.name]!.data as Float32Array }));
}

/** Seeded input for the feed target of `program` with the batch set to `batch`. */
export function seededFeed(
  program: Program,
  seed: number,
  batch = 1,
): Record<string, { dims: number[]; data: Float32Array }> {
  const rnd = mulberry32(seed);
  const feeds: Record<string, { dims: number[]; data: Float32Array }> = {};
  for (const name of feedTargets(program)) {
    const dims = program.vars.get(name)!.shape.map((d) => (d < 0 ? batch : d));
    feeds[name] = {
      dims,
      data: Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => rnd() * 2 - 1),
    };
  }
  return feeds;
}

/** Asserts |a − b| ≤ abs + rel·|b| element-wise; returns the largest difference. */
export function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, abs: number, rel = abs): number {
  expect(got.length).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < got.length; i++) {
    const d = Math.abs(got[i]! - want[i]!);
    worst = Math.max(worst, Number.isNaN(d) ? Number.POSITIVE_INFINITY : d);
    if (!(d <= abs + rel * Math.abs(want[i]!))) {
      throw new Error(`element ${i}: got ${got[i]}, want ${want[i]} (|Δ| ${d})`);
    }
  }
  return worst;
}

/** Lowers and runs `program` with onnxruntime and with the interpreter; compares every output. */
export async function checkAgainstInterpreter(
  program: Program,
  seed: number,
  tolerance = 1e-5,
  batch = 1,
): Promise<number> {
  const params = seededParams(program, seed);
  const feeds = seededFeed(program, seed + 1, batch);
  const onnx = await runOnnx(program, params, feeds);
  const ref = interpret(
    program,
    Object.fromEntries(
      Object.entries(feeds).map(([k, v]) => [k, { dims: v.dims, data: Float64Array.from(v.data) }]),
    ),
    params,
  );
  let worst = 0;
  ref.forEach((r, i) => {
    expect([...onnx[i]!.dims]).toEqual(r.dims);
    worst = Math.max(worst, expectClose(onnx[i]!.data, r.data, tolerance));
  });
  return worst;
}
