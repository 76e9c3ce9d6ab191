/**
 * A second in-memory edit predict and eval apply (the file on disk is untouched): PSPNet's
 * `psp_end` convolution (3×3, pad 1, spec §4.3) reads
 * `concat(res5c, up(psp6), up(psp3), up(psp2), up(psp1))`, where each `up` is a bilinear
 * align_corners resize (§9.1) of a 6×6, 3×3, 2×2 or 1×1 map to res5c's size. Half of that
 * convolution's input channels — a fifth of the whole network's arithmetic at 512×512 —
 * are interpolations of 1 to 36 values per channel.
 *
 * Convolution and bilinear resizing are both linear, so the contribution of an upsampled
 * part `P` (C × sh × sw, weights `W_P`) can be computed at the small size:
 *
 *     conv3x3(up(P))[o,y,x] = Σ_ky Σ_i Rh[y+ky−1, i] · Σ_kx Σ_j Rw[x+kx−1, j] · Q[ky,kx,o,i,j]
 *     Q[ky,kx,o,i,j]        = Σ_c W_P[o,c,ky,kx] · P[c,i,j]
 *
 * where `R` is the interpolation matrix of the resize (Paddle's weights, §9.1) and rows
 * outside the map are zero (the convolution's zero padding). `Q` is one small MatMul, the
 * two sums over taps are MatMuls with constant `[3·s, r]` matrices. The result is the same
 * sum reassociated: float rounding differs from the literal graph at the 1e-6 level (as it
 * does between any two convolution algorithms), and a label can only change where two
 * classes' logits tie to that precision. `pdseg predict --no-fold` runs the literal graph.
 *
 * The edit is generic: in any 3×3 stride-1 pad-1 convolution over a channel concat, the
 * parts that are align_corners upsamplings to at least 16× their area, read by nothing else,
 * are folded; the other parts keep one ordinary convolution (with the bias).
 */

import { tensorValues } from '../onnx/decode.js';
import {
  findAttribute,
  float32Tensor,
  int64Tensor,
  intsAttribute,
  makeNode,
  stringAttribute,
} from '../onnx/nodes.js';
import {
  type ModelProto,
  type NodeProto,
  TensorDataType,
  type TensorProto,
  type ValueInfoProto,
} from '../onnx/types.js';

/** Result of {@link foldUpsampledConcat}. */
export interface FoldResult {
  model: ModelProto;
  /** Names of the convolutions that were folded (empty: the model is returned unchanged). */
  folded: string[];
}

/** A part is folded only when the upsampling multiplies its area by at least this much. */
const MIN_AREA_RATIO = 16;

/**
 * Paddle's `bilinear_interp` with align_corners=True as a matrix `R[out][in]` (spec §9.1):
 * `ratio = f32((in−1)/(out−1))`, `y_n = int(ratio·k)`, `y_s = min(y_n+1, in−1)`,
 * `d_n = ratio·k − y_n`, `d_s = 1 − d_n`, all float32.
 */
export function alignCornersMatrix(inSize: number, outSize: number): Float64Array {
  const r = new Float64Array(outSize * inSize);
  const ratio = outSize > 1 ? Math.fround((inSize - 1) / (outSize - 1)) : 0;
  for (let k = 0; k < outSize; k++) {
    const src = Math.fround(ratio * k);
    const yn = Math.max(Math.trunc(src), 0);
    const ys = Math.min(yn + 1, inSize - 1);
    const dn = Math.fround(src - yn);
    const ds = Math.fround(1 - dn);
    r[k * inSize + yn] = (r[k * inSize + yn] as number) + ds;
    r[k * inSize + ys] = (r[k * inSize + ys] as number) + dn;
  }
  return r;
}

/** A folded part: the small map, its size, its channel range in the concat. */
interface Part {
  /** The small map (the Resize's input). */
  source: string;
  resize?: NodeProto;
  channels: number;
  /** Small size (sh, sw) and upsampled size (rh, rw); only for folded parts. */
  sh: number;
  sw: number;
  rh: number;
  rw: number;
}

const attr = findAttribute;

function intsOr(n: NodeProto, name: string, fallback: number[]): number[] {
  return intsAttribute(n, name) ?? fallback;
}

const text = stringAttribute;

function same(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function node(
  name: string,
  opType: string,
  inputs: string[],
  outputs: string[],
  attrs?: Record<string, number[]>,
): NodeProto {
  return makeNode({
    name,
    opType,
    inputs,
    outputs,
    attrs,
    docString: 'src/predict/fold-upsampled-concat.ts foldUpsampledConcat',
  });
}

/**
 * Folds every eligible upsampled concat part through the 3×3 convolution that reads it
 * (see the file comment). Returns the model unchanged, with `folded` empty, when nothing
 * matches or a shape it needs is unknown.
 */
export function foldUpsampledConcat(model: ModelProto): FoldResult {
  const g = model.graph;
  if (!g) return { model, folded: [] };
  const shapes = new Map<string, (number | undefined)[]>();
  for (const v of [...g.input, ...g.output, ...g.valueInfo]) {
    const dims = v.type?.tensorType?.shape?.dim;
    if (dims)
      shapes.set(
        v.name,
        dims.map((d) => d.dimValue),
      );
  }
  const inits = new Map(g.initializer.map((t) => [t.name, t]));
  const producer = new Map<string, NodeProto>();
  const readers = new Map<string, number>();
  for (const n of g.node) {
    for (const o of n.output) producer.set(o, n);
    for (const i of n.input) if (i) readers.set(i, (readers.get(i) ?? 0) + 1);
  }
  const outputs = new Set(g.output.map((o) => o.name));
  const onlyReader = (t: string) => readers.get(t) === 1 && !outputs.has(t);

  const replaced = new Map<NodeProto, NodeProto[]>();
  const removed = new Set<NodeProto>();
  const newInits: TensorProto[] = [];
  const folded: string[] = [];

  for (const conv of g.node) {
    if (conv.opType !== 'Conv' || conv.domain !== '') continue;
    if (!same(intsOr(conv, 'kernel_shape', []), [3, 3])) continue;
    if (!same(intsOr(conv, 'pads', [0, 0, 0, 0]), [1, 1, 1, 1])) continue;
    if (!same(intsOr(conv, 'strides', [1, 1]), [1, 1]) || !same(intsOr(conv, 'dilations', [1, 1]), [1, 1]))
      continue;
    if ((attr(conv, 'group')?.i ?? 1) !== 1 || (text(conv, 'auto_pad') ?? 'NOTSET') !== 'NOTSET') continue;
    const concat = producer.get(conv.input[0] as string);
    if (concat?.opType !== 'Concat' || !onlyReader(conv.input[0] as string)) continue;
    if (![1, -3].includes(attr(concat, 'axis')?.i ?? 0)) continue;
    const w = inits.get(conv.input[1] as string);
    if (w?.dataType !== TensorDataType.FLOAT || w.dims.length !== 4) continue;
    const [cout, cin] = w.dims as [number, number, number, number];

    const parts: Part[] = [];
    for (const t of concat.input) {
      const channels = shapes.get(t)?.[1];
      if (channels === undefined) break;
      const resize = producer.get(t);
      const part: Part = { source: t, channels, sh: 0, sw: 0, rh: 0, rw: 0 };
      const inShape = resize ? shapes.get(resize.input[0] as string) : undefined;
      const outShape = shapes.get(t);
      if (
        resize?.opType === 'Resize' &&
        onlyReader(t) &&
        text(resize, 'mode') === 'linear' &&
        text(resize, 'coordinate_transformation_mode') === 'align_corners' &&
        inShape?.length === 4 &&
        outShape?.length === 4 &&
        inShape[1] === channels
      ) {
        const [sh, sw] = [inShape[2], inShape[3]];
        const [rh, rw] = [outShape[2], outShape[3]];
        if (sh && sw && rh && rw && sh * sw * MIN_AREA_RATIO <= rh * rw) {
          Object.assign(part, { source: resize.input[0] as string, resize, sh, sw, rh, rw });
        }
      }
      parts.push(part);
    }
    if (parts.length !== concat.input.length) continue;
    if (parts.reduce((n, p) => n + p.channels, 0) !== cin) continue;
    const foldable = parts.filter((p) => p.resize);
    if (foldable.length === 0) continue;

    const weights = tensorValues(w) as Float32Array;
    const base = conv.name || (conv.output[0] as string);
    const added: NodeProto[] = [];
    const sums: string[] = [];
    // The parts that stay: one convolution over their channels (with the bias).
    const rest = parts.filter((p) => !p.resize);
    let offset = 0;
    const offsets = new Map<Part, number>();
    for (const p of parts) {
      offsets.set(p, offset);
      offset += p.channels;
    }
    if (rest.length > 0) {
      const restCin = rest.reduce((n, p) => n + p.channels, 0);
      const wRest = new Float32Array(cout * restCin * 9);
      for (let o = 0; o < cout; o++) {
        let dst = o * restCin * 9;
        for (const p of rest) {
          const src = (o * cin + (offsets.get(p) as number)) * 9;
          wRest.set(weights.subarray(src, src + p.channels * 9), dst);
          dst += p.channels * 9;
        }
      }
      let input = (rest[0] as Part).source;
      if (rest.length > 1) {
        input = `${base}/fold/rest_concat`;
        added.push({
          ...concat,
          name: `${base}/fold/rest_concat`,
          input: rest.map((p) => p.source),
          output: [input],
        });
      }
      newInits.push(float32Tensor(`${base}/fold/rest_weights`, [cout, restCin, 3, 3], wRest));
      const out = `${base}/fold/rest`;
      added.push({
        ...conv,
        name: `${base}/fold/rest`,
        input: [input, `${base}/fold/rest_weights`, ...conv.input.slice(2)],
        output: [out],
      });
      sums.push(out);
    } else if (conv.input[2]) {
      const bias = `${base}/fold/bias`;
      newInits.push(
        float32Tensor(bias, [1, cout, 1, 1], tensorValues(inits.get(conv.input[2]) as TensorProto)),
      );
      sums.push(bias);
    }
    foldable.forEach((p, k) => {
      const { channels: c, sh, sw, rh, rw } = p;
      const c0 = offsets.get(p) as number;
      const name = (s: string) => `${base}/fold/part${k}/${s}`;
      // Wq[(ky·3+kx)·cout + o][c] = W[o][c0+c][ky][kx]
      const wq = new Float32Array(9 * cout * c);
      for (let o = 0; o < cout; o++)
        for (let ci = 0; ci < c; ci++)
          for (let t = 0; t < 9; t++)
            wq[(t * cout + o) * c + ci] = weights[(o * cin + c0 + ci) * 9 + t] as number;
      // Mx[(kx, j)][x] = Rw[x+kx−1][j];  MyT[y][(ky, i)] = Rh[y+ky−1][i]  (zero outside the map)
      const rwm = alignCornersMatrix(sw, rw);
      const rhm = alignCornersMatrix(sh, rh);
      const mx = new Float32Array(3 * sw * rw);
      for (let kx = 0; kx < 3; kx++)
        for (let j = 0; j < sw; j++)
          for (let x = 0; x < rw; x++) {
            const xs = x + kx - 1;
            if (xs >= 0 && xs < rw) mx[(kx * sw + j) * rw + x] = rwm[xs * sw + j] as number;
          }
      const myT = new Float32Array(rh * 3 * sh);
      for (let y = 0; y < rh; y++)
        for (let ky = 0; ky < 3; ky++)
          for (let i = 0; i < sh; i++) {
            const ys = y + ky - 1;
            if (ys >= 0 && ys < rh) myT[y * 3 * sh + ky * sh + i] = rhm[ys * sh + i] as number;
          }
      newInits.push(
        float32Tensor(name('wq'), [9 * cout, c], wq),
        float32Tensor(name('mx'), [3 * sw, rw], mx),
        float32Tensor(name('my'), [rh, 3 * sh], myT),
        int64Tensor(name('shape_p'), [0, c, sh * sw]),
        int64Tensor(name('shape_q'), [0, 3, 3, cout, sh, sw]),
        int64Tensor(name('shape_h'), [0, 3, cout, sh, 3 * sw]),
        int64Tensor(name('shape_v'), [0, cout, 3 * sh, rw]),
      );
      added.push(
        node(name('flat'), 'Reshape', [p.source, name('shape_p')], [name('flat')]),
        node(name('taps'), 'MatMul', [name('wq'), name('flat')], [name('taps')]),
        node(name('taps6'), 'Reshape', [name('taps'), name('shape_q')], [name('taps6')]),
        node(name('taps_t'), 'Transpose', [name('taps6')], [name('taps_t')], { perm: [0, 1, 3, 4, 2, 5] }),
        node(name('taps_h'), 'Reshape', [name('taps_t'), name('shape_h')], [name('taps_h')]),
        node(name('rows'), 'MatMul', [name('taps_h'), name('mx')], [name('rows')]),
        node(name('rows_t'), 'Transpose', [name('rows')], [name('rows_t')], { perm: [0, 2, 1, 3, 4] }),
        node(name('rows_v'), 'Reshape', [name('rows_t'), name('shape_v')], [name('rows_v')]),
        node(name('up'), 'MatMul', [name('my'), name('rows_v')], [name('up')]),
      );
      sums.push(name('up'));
      removed.add(p.resize as NodeProto);
    });
    // Sum the parts into the convolution's original output name.
    let acc = sums[0] as string;
    for (let i = 1; i < sums.length; i++) {
      const out = i === sums.length - 1 ? (conv.output[0] as string) : `${base}/fold/sum${i}`;
      added.push(node(`${base}/fold/sum${i}`, 'Add', [acc, sums[i] as string], [out]));
      acc = out;
    }
    if (sums.length === 1)
      added.push(node(`${base}/fold/out`, 'Identity', [acc], [conv.output[0] as string]));
    replaced.set(conv, added);
    removed.add(concat);
    folded.push(conv.name || (conv.output[0] as string));
  }
  if (folded.length === 0) return { model, folded };

  let nodes: NodeProto[] = [];
  for (const n of g.node) {
    if (removed.has(n)) continue;
    nodes.push(...(replaced.get(n) ?? [n]));
  }
  nodes = withoutDeadNodes(nodes, outputs);
  const read = new Set(nodes.flatMap((n) => n.input));
  const produced = new Set(nodes.flatMap((n) => n.output));
  const initializer = [...g.initializer, ...newInits].filter((t) => read.has(t.name));
  const keep = (v: ValueInfoProto) => produced.has(v.name) || outputs.has(v.name);
  return {
    model: { ...model, graph: { ...g, node: nodes, initializer, valueInfo: g.valueInfo.filter(keep) } },
    folded,
  };
}

/** Drops nodes none of whose outputs is read (the resizes' size computations, for one). */
function withoutDeadNodes(nodes: NodeProto[], outputs: ReadonlySet<string>): NodeProto[] {
  let current = nodes;
  for (;;) {
    const read = new Set(current.flatMap((n) => n.input));
    const next = current.filter((n) => n.output.some((o) => read.has(o) || outputs.has(o)));
    if (next.length === current.length) return current;
    current = next;
  }
}
