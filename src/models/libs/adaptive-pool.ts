/**
 * Paddle's adaptive average pooling (op `pool2d`, `adaptive=True`; spec §9.2, §10). Bin i
 * of n over an axis of length L covers `[floor(i·L/n), ceil((i+1)·L/n))`, so bins overlap
 * when n does not divide L (64 → 3: [0,22), [21,43), [42,64)). Where the bins tile the map
 * exactly this is one `AveragePool`; otherwise it is `X · Aᵂ` then `Aᴴ · (…)` with
 * averaging matrices that hold `1/len(bin)` inside each bin (two `MatMul` nodes).
 */
import type { GraphBuilder, Value } from '../../onnx/builder.js';

/** The `[start, end)` bounds of the adaptive bins of an axis of `length` split into `bins`. */
export function adaptiveBins(length: number, bins: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = 0; i < bins; i++) {
    out.push([Math.floor((i * length) / bins), Math.ceil(((i + 1) * length) / bins)]);
  }
  return out;
}

/** Row-major `[bins, length]` matrix averaging each bin (row i holds 1/len over bin i). */
export function averagingMatrix(length: number, bins: number): Float32Array {
  const m = new Float32Array(bins * length);
  adaptiveBins(length, bins).forEach(([s, e], i) => {
    for (let k = s; k < e; k++) m[i * length + k] = 1 / (e - s);
  });
  return m;
}

function transposed(m: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = m[r * cols + c]!;
  return t;
}

/** `adaptive_pool2d(x, pool_size=[oh, ow], pool_type='avg')` on an NCHW tensor with static H, W. */
export function adaptiveAvgPool2d(b: GraphBuilder, x: Value, [oh, ow]: [number, number]): Value {
  const h = x.shape[2] as number;
  const w = x.shape[3] as number;
  if (h % oh === 0 && w % ow === 0) {
    return b.averagePool(x, { kernel: [h / oh, w / ow], strides: [h / oh, w / ow] });
  }
  return b.scope('pool2d', () => {
    const aw = b.constant('adaptive_avg_w', [w, ow], transposed(averagingMatrix(w, ow), ow, w));
    const ah = b.constant('adaptive_avg_h', [oh, h], averagingMatrix(h, oh));
    const cols = b.matMul(x, aw, 'avg_w');
    return b.matMul(ah, cols, 'avg_h');
  });
}
