/**
 * MobileNetV3 large/small of PaddleSeg v0.7's `backbone/mobilenet_v3.py`, as DeepLabv3+
 * uses it. Stem `conv1` (3×3 stride 2 to make_divisible(16·scale), hard_swish), then the
 * bottleneck table below named `conv2`, `conv3`, …: `_expand` 1×1 → `_depthwise` k×k
 * depthwise (stride s) → optional squeeze-excite `_se` → `_linear` 1×1 (no act), plus the
 * input when widths and stride allow; then `conv_last` 1×1 to make_divisible(squeeze·scale)
 * (hard_swish). Activations are relu or hard_swish (Paddle's `x·min(max(x+3,0),6)/6`).
 *
 * SE: global average pool → 1×1 conv with bias to C/4 (`_se_1_weights`, `_se_1_offset`,
 * relu) → 1×1 conv with bias to C (`_se_2_*`, hard_sigmoid slope 0.2 offset 0.5) →
 * `elementwise_mul(axis=0)` onto the block.
 *
 * A unit stride that would take the running stride (2 after the stem) past
 * `OUTPUT_STRIDE` becomes 1, without dilation (`modify_bottle_params`). The decoder skip is
 * the `_expand` output of the first stride-2 unit entered at stride 4 (1/4 of the input).
 * Batch norms are fluid's defaults, `<name>_bn_{scale,offset,mean,variance}`.
 */
import { PdsegError } from '../../errors.js';
import * as L from '../../program/layers.js';
import type { ProgramBuilder, Var } from '../../program/program-builder.js';
import { suffixConvBn } from '../libs/conv-bn-layer.js';

type Unit = readonly [k: number, exp: number, c: number, se: boolean, act: 'relu' | 'hard_swish', s: number];

const LARGE: readonly Unit[] = [
  [3, 16, 16, false, 'relu', 1],
  [3, 64, 24, false, 'relu', 2],
  [3, 72, 24, false, 'relu', 1],
  [5, 72, 40, true, 'relu', 2],
  [5, 120, 40, true, 'relu', 1],
  [5, 120, 40, true, 'relu', 1],
  [3, 240, 80, false, 'hard_swish', 2],
  [3, 200, 80, false, 'hard_swish', 1],
  [3, 184, 80, false, 'hard_swish', 1],
  [3, 184, 80, false, 'hard_swish', 1],
  [3, 480, 112, true, 'hard_swish', 1],
  [3, 672, 112, true, 'hard_swish', 1],
  [5, 672, 160, true, 'hard_swish', 2],
  [5, 960, 160, true, 'hard_swish', 1],
  [5, 960, 160, true, 'hard_swish', 1],
];
const SMALL: readonly Unit[] = [
  [3, 16, 16, true, 'relu', 2],
  [3, 72, 24, false, 'relu', 2],
  [3, 88, 24, false, 'relu', 1],
  [5, 96, 40, true, 'hard_swish', 2],
  [5, 240, 40, true, 'hard_swish', 1],
  [5, 240, 40, true, 'hard_swish', 1],
  [5, 120, 48, true, 'hard_swish', 1],
  [5, 144, 48, true, 'hard_swish', 1],
  [5, 288, 96, true, 'hard_swish', 2],
  [5, 576, 96, true, 'hard_swish', 1],
  [5, 576, 96, true, 'hard_swish', 1],
];
const SQUEEZE = { large: 960, small: 576 };

/** `make_divisible(v, 8)`: round to a multiple of 8, at least 8, never below 90 % of v. */
export function makeDivisible(v: number, divisor = 8): number {
  let n = Math.max(divisor, Math.floor(Math.trunc(v + divisor / 2) / divisor) * divisor);
  if (n < 0.9 * v) n += divisor;
  return n;
}

/** MobileNetV3's conv_bn_layer: depthwise convs (groups > 1) run with `use_cudnn=False`. */
function convBn(
  p: ProgramBuilder,
  x: Var,
  o: {
    filterSize: number;
    numFilters: number;
    stride: number;
    groups?: number;
    act?: 'relu' | 'hard_swish';
    name: string;
  },
): Var {
  return suffixConvBn(p, x, { ...o, useCudnn: (o.groups ?? 1) === 1 });
}

function seBlock(p: ProgramBuilder, x: Var, channels: number, name: string): Var {
  const pool = L.pool2d(p, x, { poolType: 'avg', globalPooling: true });
  const squeeze = L.conv2d(p, pool, {
    numFilters: Math.floor(channels / 4),
    filterSize: 1,
    act: 'relu',
    paramName: `${name}_1_weights`,
    biasName: `${name}_1_offset`,
  });
  const gate = L.conv2d(p, squeeze, {
    numFilters: channels,
    filterSize: 1,
    act: 'hard_sigmoid',
    paramName: `${name}_2_weights`,
    biasName: `${name}_2_offset`,
  });
  return L.elementwiseMul(p, x, gate, { axis: 0 });
}

/** MobileNetV3 up to `conv_last` and the 1/4 decoder skip. */
export function mobilenetV3(
  p: ProgramBuilder,
  input: Var,
  o: { model: 'large' | 'small'; scale: number; outputStride: number },
): { data: Var; shortcut: Var } {
  if (o.outputStride % 2 !== 0) {
    throw new PdsegError(
      'CONFIG_CHECK',
      `MODEL.DEEPLAB.OUTPUT_STRIDE ${o.outputStride}: MobileNetV3 needs an even output stride ("output stride must to be even number"), e.g. 8, 16 or 32`,
    );
  }
  const table = o.model === 'large' ? LARGE : SMALL;
  return p.nameScope(`mobilenet_v3_${o.model}`, () => {
    let inCh = makeDivisible(16 * o.scale);
    let x = convBn(p, input, {
      filterSize: 3,
      numFilters: inCh,
      stride: 2,
      act: 'hard_swish',
      name: 'conv1',
    });
    let running = 2;
    let modified = 2;
    let skip: Var | undefined;
    table.forEach(([k, exp, c, se, act, s0], i) => {
      modified *= s0;
      const s = modified > o.outputStride ? 1 : s0;
      const mid = makeDivisible(exp * o.scale);
      const out = makeDivisible(c * o.scale);
      const name = `conv${i + 2}`;
      x = p.nameScope(name, () => {
        const input_ = x;
        const expand = convBn(p, input_, {
          filterSize: 1,
          numFilters: mid,
          stride: 1,
          act,
          name: `${name}_expand`,
        });
        if (running === 4 && s === 2 && !skip) skip = expand;
        let y = convBn(p, expand, {
          filterSize: k,
          numFilters: mid,
          stride: s,
          groups: mid,
          act,
          name: `${name}_depthwise`,
        });
        if (se) y = seBlock(p, y, mid, `${name}_se`);
        y = convBn(p, y, { filterSize: 1, numFilters: out, stride: 1, name: `${name}_linear` });
        return inCh !== out || s !== 1 ? y : L.elementwiseAdd(p, input_, y);
      });
      running *= s;
      inCh = out;
    });
    x = convBn(p, x, {
      filterSize: 1,
      numFilters: makeDivisible(SQUEEZE[o.model] * o.scale),
      stride: 1,
      act: 'hard_swish',
      name: 'conv_last',
    });
    if (!skip) {
      throw new PdsegError(
        'CONFIG_CHECK',
        `MODEL.DEEPLAB.OUTPUT_STRIDE ${o.outputStride}: MobileNetV3 keeps no stride-2 unit after 1/4, so there is no decoder skip; use an output stride of 8 or more`,
      );
    }
    return { data: x, shortcut: skip };
  });
}
