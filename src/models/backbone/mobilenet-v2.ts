/**
 * MobileNetV2 of PaddleSeg v0.7's `backbone/mobilenet_v2.py`, as DeepLabv3+ uses it: the
 * `conv1_1` stem (3×3 stride 2 at `int(32·scale)`), then seven inverted-residual stages
 * (t, c, n, s) = (1,16,1,1) (6,24,2,2) (6,32,3,2) (6,64,4,2) (6,96,3,1) (6,160,3,2)
 * (6,320,1,1) named `conv2`…`conv8`; each unit is `_expand` 1×1 (relu6), `_dwise` 3×3
 * depthwise (relu6), `_linear` 1×1, plus the identity for all but a stage's first unit. A
 * stage stride that would take the running stride past `output_stride` becomes 1 (no
 * dilation). Batch norms are fluid's defaults, `<name>_bn_{scale,offset,mean,variance}`.
 * DeepLab stops after `conv8` (end point 18) and takes the decoder skip from the depthwise
 * output of the last unit of `conv3` (decode point 4).
 */
import { PdsegError } from '../../errors.js';
import * as L from '../../program/layers.js';
import type { ProgramBuilder, Var } from '../../program/program-builder.js';
import { suffixConvBn } from '../libs/conv-bn-layer.js';

const STAGES: ReadonlyArray<readonly [t: number, c: number, n: number, s: number]> = [
  [1, 16, 1, 1],
  [6, 24, 2, 2],
  [6, 32, 3, 2],
  [6, 64, 4, 2],
  [6, 96, 3, 1],
  [6, 160, 3, 2],
  [6, 320, 1, 1],
];

/** `modify_bottle_params`: stage strides that would pass the output stride become 1. */
export function mobilenetV2Strides(outputStride: number): number[] {
  if (outputStride % 2 !== 0) {
    throw new PdsegError(
      'CONFIG_CHECK',
      `MODEL.DEEPLAB.OUTPUT_STRIDE ${outputStride}: MobileNetV2 needs an even output stride ("output stride must to be even number"), e.g. 8 or 16`,
    );
  }
  let stride = 2;
  return STAGES.map(([, , , s]) => {
    stride *= s;
    return stride > outputStride ? 1 : s;
  });
}

/**
 * `inverted_residual_unit`: `_expand` 1×1 (relu6) → `_dwise` 3×3 depthwise (relu6) →
 * `_linear` 1×1, plus the input when `shortcut`; also returns the depthwise output (the
 * decoder skip). Fast-SCNN's `inverted_blocks` use the same unit.
 */
export function invertedResidual(
  p: ProgramBuilder,
  x: Var,
  o: { inCh: number; outCh: number; shortcut: boolean; stride: number; t: number; name: string },
): { out: Var; depthwise: Var } {
  const exp = Math.round(o.inCh * o.t);
  return p.nameScope(o.name, () => {
    const expand = suffixConvBn(p, x, {
      filterSize: 1,
      numFilters: exp,
      stride: 1,
      padding: 0,
      act: 'relu6',
      name: `${o.name}_expand`,
    });
    const dw = suffixConvBn(p, expand, {
      filterSize: 3,
      numFilters: exp,
      stride: o.stride,
      padding: 1,
      groups: exp,
      act: 'relu6',
      useCudnn: false,
      name: `${o.name}_dwise`,
    });
    const linear = suffixConvBn(p, dw, {
      filterSize: 1,
      numFilters: o.outCh,
      stride: 1,
      padding: 0,
      name: `${o.name}_linear`,
    });
    return { out: o.shortcut ? L.elementwiseAdd(p, x, linear) : linear, depthwise: dw };
  });
}

/** MobileNetV2 up to `conv8` (DeepLab's end point 18) and the decoder skip (decode point 4). */
export function mobilenetV2(
  p: ProgramBuilder,
  input: Var,
  o: { scale: number; outputStride: number },
): { data: Var; shortcut: Var } {
  const strides = mobilenetV2Strides(o.outputStride);
  return p.nameScope('mobilenet_v2', () => {
    let x = suffixConvBn(p, input, {
      filterSize: 3,
      numFilters: Math.trunc(32 * o.scale),
      stride: 2,
      padding: 1,
      act: 'relu6',
      name: 'conv1_1',
    });
    let inCh = Math.trunc(32 * o.scale);
    let count = 1;
    let shortcut: Var | undefined;
    STAGES.forEach(([t, c, n], k) => {
      const outCh = Math.trunc(c * o.scale);
      const name = `conv${k + 2}`;
      let depthwise: Var;
      ({ out: x, depthwise } = invertedResidual(p, x, {
        inCh,
        outCh,
        shortcut: false,
        stride: strides[k]!,
        t,
        name: `${name}_1`,
      }));
      for (let i = 1; i < n; i++) {
        ({ out: x, depthwise } = invertedResidual(p, x, {
          inCh: outCh,
          outCh,
          shortcut: true,
          stride: 1,
          t,
          name: `${name}_${i + 1}`,
        }));
      }
      inCh = outCh;
      count += n;
      if (count === 4) shortcut = depthwise;
    });
    return { data: x, shortcut: shortcut! };
  });
}
