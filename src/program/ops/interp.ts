/**
 * `bilinear_interp` (spec §9.1) as ONNX `Resize(mode=linear)`: `align_corners=True` →
 * `align_corners`; `align_corners=False` → `asymmetric` (align_mode 1) or `half_pixel`
 * (align_mode 0; ONNX clamps negative source coordinates as Paddle does). The size comes from
 * `out_h`/`out_w`, else from `scale` (`int(in · scale)`). Opset 17's `Resize` takes sizes for
 * every axis, so a symbolic batch reads N, C from the tensor's shape at run time.
 */
import type { Value } from '../../onnx/builder.js';
import { attr, type InferContext, type LowerContext, type PaddleOpDef } from '../op-def.js';

function outSize(ctx: InferContext | LowerContext, h: number, w: number): [number, number] {
  const oh = ctx.attr<number>('out_h');
  const ow = ctx.attr<number>('out_w');
  if (oh > 0 && ow > 0) return [oh, ow];
  const s = ctx.attr<number>('scale');
  if (s > 0 && h > 0 && w > 0) return [Math.trunc(h * s), Math.trunc(w * s)];
  return [-1, -1];
}

function sizesOf(ctx: LowerContext, x: Value, size: [number, number]): Value {
  const { b } = ctx;
  const lead = x.shape.slice(0, -2);
  if (lead.every((d) => typeof d === 'number'))
    return b.int64s('bilinear_interp.sizes', [...(lead as number[]), ...size]);
  const nc = ctx.node('Shape', [x], { start: 0, end: lead.length }, { label: 'bilinear_interp.shape' });
  const hw = b.int64s('bilinear_interp.hw', size);
  return ctx.node('Concat', [nc, hw], { axis: 0 }, { label: 'bilinear_interp.sizes' });
}

/** bilinear_interp. */
export const bilinearInterp: PaddleOpDef = {
  type: 'bilinear_interp',
  inputs: ['OutSize', 'Scale', 'SizeTensor', 'X'],
  outputs: ['Out'],
  attrs: [
    attr.str('data_layout', 'NCHW'),
    attr.int('out_d', 0),
    attr.int('out_h', 0),
    attr.int('out_w', 0),
    attr.float('scale', 0),
    attr.str('interp_method', 'bilinear'),
    attr.bool('align_corners', true),
    attr.int('align_mode', 1),
  ],
  infer(ctx) {
    const x = ctx.shape('X');
    return { Out: [[x[0]!, x[1]!, ...outSize(ctx, x[2]!, x[3]!)]] };
  },
  lower(ctx) {
    for (const slot of ['OutSize', 'Scale', 'SizeTensor']) {
      if (ctx.has(slot)) throw ctx.unsupported(`a size computed at run time (input ${slot})`);
    }
    const layout = ctx.attr<string>('data_layout');
    if (layout !== 'NCHW' && layout !== 'AnyLayout') throw ctx.unsupported(`data_layout "${layout}"`);
    const x = ctx.input('X');
    const [h, w] = ctx.spatial(x);
    const size = outSize(ctx, h!, w!);
    if (size[0] <= 0 || size[1] <= 0) throw ctx.unsupported('no positive out_h/out_w or scale');
    const mode = ctx.attr<boolean>('align_corners')
      ? 'align_corners'
      : ctx.attr<number>('align_mode') === 0
        ? 'half_pixel'
        : 'asymmetric';
    ctx.node(
      'Resize',
      [x, null, null, sizesOf(ctx, x, size)],
      { mode: 'linear', coordinate_transformation_mode: mode },
      { label: 'bilinear_interp', output: 'Out' },
    );
  },
};
