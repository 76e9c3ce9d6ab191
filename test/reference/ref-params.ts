/**
 * Parameter access for the independent references: `param(name, dims)` reads a weight by
 * its Paddle name; in `collect` mode an unknown name gets seeded values and is recorded,
 * so one pass of a reference yields both the parameter list (names and shapes as the
 * reference derives them, independently of the builder) and a checkpoint's weights.
 *
 * `norm` is a batch norm at inference whose statistics, when calibrating, are first set to
 * the input's own per-channel mean and variance (+ a floor), so random weights keep
 * unit-scale activations through deep networks. `unitLogits` rescales a classifier so its
 * logits have unit spread: softmax outputs are then neither flat nor saturated.
 */
import { mulberry32, seededValues } from '../fixtures/seeded-weights.js';
import { batchNorm, type Chw, channelStats } from './paddle-ops.js';

export interface RefParams {
  param: (name: string, dims: number[]) => Float32Array;
  /** Batch norm with named scale, bias, mean and variance parameters. */
  norm: (x: Chw, names: { scale: string; bias: string; mean: string; variance: string }, eps: number) => Chw;
  /** `model_libs.bn` in scope `s`: `<s>/BatchNorm/{gamma,beta,moving_mean,moving_variance}`, ε 1e-5. */
  libsBn: (x: Chw, s: string) => Chw;
  /** `<name>_bn_{scale,offset,mean,variance}` batch norm (fluid's default ε 1e-5). */
  suffixBn: (x: Chw, bn: string) => Chw;
  /** Calibrating: scales the named weight (and bias) so `run()`'s output has unit RMS; returns run(). */
  unitLogits: (run: () => Chw, weight: string, bias?: string) => Chw;
}

export function refParams(
  w: Map<string, Float32Array>,
  o: { collect?: boolean; calibrate?: boolean; floor?: number },
  list: Array<[string, number[]]>,
): RefParams {
  const rnd = mulberry32(77);
  const param = (name: string, dims: number[]): Float32Array => {
    let v = w.get(name);
    if (!v) {
      if (!o.collect) throw new Error(`reference: no weight ${name}`);
      v = seededValues(name, dims, rnd);
      w.set(name, v);
      list.push([name, dims]);
    }
    return v;
  };
  const norm: RefParams['norm'] = (x, n, eps) => {
    const scale = param(n.scale, [x.c]);
    const bias = param(n.bias, [x.c]);
    param(n.mean, [x.c]);
    param(n.variance, [x.c]);
    if (o.calibrate) {
      const st = channelStats(x, o.floor ?? 0.1);
      w.set(n.mean, st.mean);
      w.set(n.variance, st.variance);
    }
    return batchNorm(x, { scale, bias, mean: w.get(n.mean)!, variance: w.get(n.variance)! }, eps);
  };
  return {
    param,
    norm,
    libsBn: (x, s) =>
      norm(
        x,
        {
          scale: `${s}/BatchNorm/gamma`,
          bias: `${s}/BatchNorm/beta`,
          mean: `${s}/BatchNorm/moving_mean`,
          variance: `${s}/BatchNorm/moving_variance`,
        },
        1e-5,
      ),
    suffixBn: (x, bn) =>
      norm(
        x,
        { scale: `${bn}_scale`, bias: `${bn}_offset`, mean: `${bn}_mean`, variance: `${bn}_variance` },
        1e-5,
      ),
    unitLogits: (run, weight, bias) => {
      const first = run();
      if (!o.calibrate) return first;
      let sq = 0;
      for (const v of first.data) sq += v * v;
      const k = 1 / Math.sqrt(sq / first.data.length);
      w.set(
        weight,
        w.get(weight)!.map((v) => v * k),
      );
      if (bias)
        w.set(
          bias,
          w.get(bias)!.map((v) => v * k),
        );
      return run();
    },
  };
}
