/**
 * Xception 41/65/71 of PaddleSeg v0.7's `backbone/xception.py`, as DeepLabv3+ uses it: in
 * scope `xception_<n>`, the entry flow (two conv-bn-relu, then 3 or 5 blocks), the middle
 * flow (8 or 16 blocks at 728) and the exit flow (two blocks; the second dilated by 2, with
 * relu inside its separable convs and no skip). A block is three separable convs
 * (`separable_conv<i>`), relu before each unless the act is inside, plus a `shortcut`
 * (1×1 conv + bn) or the identity, summed by Python `+`. Strides stop doubling once they
 * would pass the output stride. Batch norms here use ε 1e-3 (`deeplab.xception()` sets
 * `DEFAULT_EPSILON`), momentum `MODEL.BN_MOMENTUM`.
 */
import { PdsegError } from '../../errors.js';
import * as L from '../../program/layers.js';
import type { ProgramBuilder, Var } from '../../program/program-builder.js';
import { type BnOptions, bn, bnRelu, conv, separateConv } from '../libs/model-libs.js';

/**
 * Per backbone: entry-flow strides and widths and middle-flow block count
 * (`gen_bottleneck_params`), and the block whose second separable conv DeepLab's decoder
 * takes as its skip (`decode_point`).
 */
const FLOWS: Readonly<Record<string, { entry: [number[], number[]]; middle: number; decode: number }>> = {
  xception_41: {
    entry: [
      [2, 2, 2],
      [128, 256, 728],
    ],
    middle: 8,
    decode: 2,
  },
  xception_65: {
    entry: [
      [2, 2, 2],
      [128, 256, 728],
    ],
    middle: 16,
    decode: 2,
  },
  xception_71: {
    entry: [
      [2, 1, 2, 1, 2],
      [128, 256, 256, 728, 728],
    ],
    middle: 16,
    decode: 3,
  },
};

/** The Xception backbones PaddleSeg v0.7 knows. */
export const XCEPTION_BACKBONES = Object.keys(FLOWS);

type Norm = Omit<BnOptions, 'act'>;

function xceptionBlock(
  p: ProgramBuilder,
  input: Var,
  o: {
    channels: number[];
    strides: number[];
    dilation?: number;
    skipConv?: boolean;
    hasSkip?: boolean;
    actInside?: boolean;
    norm: Norm;
  },
): { out: Var; results: Var[] } {
  let data = input;
  const results: Var[] = [];
  for (let i = 0; i < 3; i++) {
    data = p.scope(`separable_conv${i + 1}`, () => {
      const x = o.actInside ? data : L.act(p, 'relu', data);
      return separateConv(p, x, {
        channel: o.channels[i]!,
        stride: o.strides[i]!,
        filter: 3,
        dilation: o.dilation ?? 1,
        act: o.actInside ?? false,
        ...o.norm,
      });
    });
    results.push(data);
  }
  if (o.hasSkip === false) return { out: data, results };
  const skip =
    (o.skipConv ?? true)
      ? p.scope('shortcut', () =>
          bn(p, conv(p, input, { numFilters: o.channels[2]!, filterSize: 1, stride: o.strides[2]! }), o.norm),
        )
      : input;
  return { out: L.plus(p, data, skip), results };
}

/**
 * `Xception(backbone).net(input, output_stride, end_points, decode_points)` as
 * `deeplab.xception()` calls it: returns the exit-flow output and the decoder skip
 * (the second separable conv of block `decode_point`).
 */
export function xception(
  p: ProgramBuilder,
  input: Var,
  o: { backbone: string; outputStride: number; norm: Norm },
): { data: Var; shortcut: Var } {
  const flows = FLOWS[o.backbone];
  if (!flows)
    throw new PdsegError(
      'CONFIG_CHECK',
      `MODEL.DEEPLAB.BACKBONE "${o.backbone}" is not an Xception (${XCEPTION_BACKBONES.join(', ')})`,
    );
  const decodePoint = flows.decode;
  let s = 2;
  let point = 0;
  let shortcut: Var | undefined;
  const stride = (want: number) => (s * want <= o.outputStride ? want : 1);
  const data = p.scope(o.backbone, () => {
    let x = p.scope('entry_flow', () => {
      const a = p.scope('conv1', () =>
        bnRelu(p, conv(p, input, { numFilters: 32, filterSize: 3, stride: 2, padding: 1 }), o.norm),
      );
      return p.scope('conv2', () =>
        bnRelu(p, conv(p, a, { numFilters: 64, filterSize: 3, stride: 1, padding: 1 }), o.norm),
      );
    });
    x = p.scope('entry_flow', () => {
      let y = x;
      flows.entry[0].forEach((want, i) => {
        point++;
        y = p.scope(`block${i + 1}`, () => {
          const st = stride(want);
          const { out, results } = xceptionBlock(p, y, {
            channels: Array(3).fill(flows.entry[1][i]),
            strides: [1, 1, st],
            norm: o.norm,
          });
          s *= st;
          if (point === decodePoint) shortcut = results[1];
          return out;
        });
      });
      return y;
    });
    x = p.scope('middle_flow', () => {
      let y = x;
      for (let i = 0; i < flows.middle; i++) {
        point++;
        y = p.scope(
          `block${i + 1}`,
          () =>
            xceptionBlock(p, y, {
              channels: [728, 728, 728],
              strides: [1, 1, 1],
              skipConv: false,
              norm: o.norm,
            }).out,
        );
      }
      return y;
    });
    return p.scope('exit_flow', () => {
      const a = p.scope('block1', () => {
        const st = stride(2);
        const r = xceptionBlock(p, x, { channels: [728, 1024, 1024], strides: [1, 1, st], norm: o.norm });
        s *= st;
        return r.out;
      });
      return p.scope(
        'block2',
        () =>
          xceptionBlock(p, a, {
            channels: [1536, 1536, 2048],
            strides: [1, 1, 1],
            dilation: 2,
            hasSkip: false,
            actInside: true,
            norm: o.norm,
          }).out,
      );
    });
  });
  return { data, shortcut: shortcut! };
}
