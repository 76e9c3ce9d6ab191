/**
 * An independent forward pass of PaddleSeg v0.7's DeepLabv3+ with the Xception and
 * MobileNetV2 backbones, written from the architecture with naive kernels (paddle-ops.ts
 * plus the depthwise conv, group norm and reductions below), never from src/.
 *
 * Parameters come from `param(name, dims)`: in `collect` mode an unknown name gets seeded
 * values and is recorded, so one pass yields the parameter list (names and shapes as this
 * reference derives them, independently of the builder) and the weights; `calibrate` sets
 * every batch norm's statistics to its input's per-channel mean and variance and scales the
 * classifier to unit-spread logits, so outputs are neither flat nor saturated.
 */
import { mulberry32, seededValues } from '../fixtures/seeded-weights.js';
import {
  add,
  avgPool,
  batchNorm,
  bilinearInterp,
  type Chw,
  channelStats,
  chw,
  concatChannels,
  conv2d,
  depthwiseConv,
  globalAvg,
  hardSigmoid,
  hardSwish,
  maxPool,
  relu,
  scale,
  softmaxChannels,
} from './paddle-ops.js';

export interface DeeplabRefOptions {
  numClasses: number;
  backbone:
    | 'xception_41'
    | 'xception_65'
    | 'xception_71'
    | 'mobilenetv2'
    | 'mobilenetv3_large'
    | 'mobilenetv3_small'
    | 'resnet_vd_50';
  outputStride: number;
  depthMultiplier?: number;
  encoder: boolean;
  decoder: boolean;
  norm: 'bn' | 'gn';
  oneChannel?: boolean;
  /** The MobileNetV3 configs' encoder/decoder keys (defaults: PaddleSeg's). */
  head?: {
    asppFilters?: number;
    imageLevel?: boolean;
    projection?: boolean;
    /** ENCODER.POOLING_CROP_SIZE (w, h) and POOLING_STRIDE (h, w). */
    poolCrop?: [number, number];
    poolStride?: [number, number];
    se?: boolean;
    qsigmoid?: boolean;
    sumMerge?: boolean;
    decoderFilters?: number;
    logits?: boolean;
  };
  collect?: boolean;
  calibrate?: boolean;
}

const f = Math.fround;

const depthwise = depthwiseConv;

/** The group count PaddleSeg's group_norm settles on: G ± d, d = 0…9, first divisor of C. */
export function groupsFor(c: number, g0: number): number {
  for (let d = 0; d < 10; d++) for (const t of [d, -d]) if (g0 + t > 0 && c % (g0 + t) === 0) return g0 + t;
  throw new Error(`no group count near ${g0} divides ${c}`);
}

/** Runs DeepLabv3+ on one CHW image; returns the probabilities; `list` receives the parameters in collect mode. */
export function deeplabForward(
  w: Map<string, Float32Array>,
  image: Chw,
  o: DeeplabRefOptions,
  list: Array<[string, number[]]> = [],
): Chw {
  const rnd = mulberry32(99);
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
  /** model_libs.bn in scope `s` (BatchNorm or GroupNorm), with the given ε. */
  const norm = (x: Chw, s: string, eps: number): Chw => {
    if (o.norm === 'gn') {
      const gamma = param(`${s}/GroupNorm/gamma`, [x.c]);
      const beta = param(`${s}/GroupNorm/beta`, [x.c]);
      const g = groupsFor(x.c, 32);
      const per = (x.c / g) * x.h * x.w;
      const y = chw(x.c, x.h, x.w);
      for (let k = 0; k < g; k++) {
        let m = 0;
        for (let i = 0; i < per; i++) m += x.data[k * per + i]!;
        m /= per;
        let v = 0;
        for (let i = 0; i < per; i++) v += (x.data[k * per + i]! - m) ** 2;
        v /= per;
        for (let i = 0; i < per; i++) {
          const c = Math.floor((k * per + i) / (x.h * x.w));
          y.data[k * per + i] = ((x.data[k * per + i]! - m) / Math.sqrt(v + 1e-5)) * gamma[c]! + beta[c]!;
        }
      }
      return y;
    }
    const b = `${s}/BatchNorm`;
    if (o.calibrate) {
      const st = channelStats(x, 0.1);
      w.set(`${b}/moving_mean`, st.mean);
      w.set(`${b}/moving_variance`, st.variance);
      // The last conv of a residual branch starts small, so 16 middle-flow sums do not
      // grow the activations (and every rounding difference) block after block.
      if (s.endsWith('separable_conv3/pointwise'))
        w.set(
          `${b}/gamma`,
          param(`${b}/gamma`, [x.c]).map((g) => g * 0.3),
        );
    }
    return batchNorm(
      x,
      {
        scale: param(`${b}/gamma`, [x.c]),
        bias: param(`${b}/beta`, [x.c]),
        mean: param(`${b}/moving_mean`, [x.c]),
        variance: param(`${b}/moving_variance`, [x.c]),
      },
      eps,
    );
  };
  const conv = (x: Chw, s: string, cout: number, k: number, stride = 1, pad = 0, dil = 1, bias = false) =>
    conv2d(x, param(`${s}/weights`, [cout, x.c, k, k]), cout, k, {
      stride,
      pad,
      dilation: dil,
      ...(bias ? { bias: param(`${s}/biases`, [cout]) } : {}),
    });
  const sepConv = (
    x: Chw,
    s: string,
    cout: number,
    stride: number,
    dil: number,
    act: boolean,
    eps: number,
  ) => {
    let y = norm(
      depthwise(x, param(`${s}/depthwise/weights`, [x.c, 1, 3, 3]), 3, stride, dil, dil),
      `${s}/depthwise`,
      eps,
    );
    if (act) y = relu(y);
    y = norm(conv(y, `${s}/pointwise`, cout, 1), `${s}/pointwise`, eps);
    return act ? relu(y) : y;
  };

  let features: Chw;
  let skip: Chw;
  /**
   * Batch norm `<bn>_{scale,offset,mean,variance}` (fluid's ε); calibrating first sets its
   * statistics to `y`'s own (variance + `floor`).
   */
  const namedBn = (y: Chw, bn: string, floor: number) => {
    if (o.calibrate) {
      const st = channelStats(y, floor);
      w.set(`${bn}_mean`, st.mean);
      w.set(`${bn}_variance`, st.variance);
    }
    return batchNorm(
      y,
      {
        scale: param(`${bn}_scale`, [y.c]),
        bias: param(`${bn}_offset`, [y.c]),
        mean: param(`${bn}_mean`, [y.c]),
        variance: param(`${bn}_variance`, [y.c]),
      },
      1e-5,
    );
  };
  /** A `<name>_weights` conv (depthwise with `dw`), no bias. */
  const namedConv = (
    x: Chw,
    name: string,
    cout: number,
    k: number,
    stride: number,
    pad: number,
    dil = 1,
    dw = false,
  ) =>
    dw
      ? depthwise(x, param(`${name}_weights`, [cout, 1, k, k]), k, stride, pad, dil)
      : conv2d(x, param(`${name}_weights`, [cout, x.c, k, k]), cout, k, { stride, pad, dilation: dil });
  /** The `<name>_weights` conv + `<name>_bn_*` batch norm of the MobileNets. */
  const suffixConvBn = (
    x: Chw,
    name: string,
    cout: number,
    k: number,
    stride: number,
    pad: number,
    dil = 1,
    dw = false,
  ) => namedBn(namedConv(x, name, cout, k, stride, pad, dil, dw), `${name}_bn`, 1);
  if (o.backbone.startsWith('mobilenetv3')) {
    ({ features, skip } = mobilenetV3Ref(o, image, suffixConvBn, param));
  } else if (o.backbone === 'resnet_vd_50') {
    // ResNet's bn naming: `bn` + name[3:].
    ({ features, skip } = resnetVdRef(o, image, (x, name, cout, k, stride, pad, dil) =>
      namedBn(namedConv(x, name, cout, k, stride, pad, dil), `bn${name.slice(3)}`, 1),
    ));
  } else if (o.backbone === 'mobilenetv2') {
    const sc = o.depthMultiplier ?? 1;
    const cbn = (x: Chw, name: string, cout: number, k: number, stride: number, act: boolean, dw = false) => {
      const z = namedBn(namedConv(x, name, cout, k, stride, (k - 1) / 2, 1, dw), `${name}_bn`, 0.1);
      return act ? { ...z, data: z.data.map((v) => Math.min(Math.max(v, 0), 6)) } : z;
    };
    const settings = [
      [1, 16, 1, 1],
      [6, 24, 2, 2],
      [6, 32, 3, 2],
      [6, 64, 4, 2],
      [6, 96, 3, 1],
      [6, 160, 3, 2],
      [6, 320, 1, 1],
    ];
    let x = cbn(image, 'conv1_1', Math.trunc(32 * sc), 3, 2, true);
    let running = 2;
    let count = 1;
    let inC = Math.trunc(32 * sc);
    let s4: Chw | undefined;
    settings.forEach(([t, c, n, s], k) => {
      running *= s!;
      const st = running > o.outputStride ? 1 : s!;
      const outC = Math.trunc(c! * sc);
      for (let i = 0; i < n!; i++) {
        const name = `conv${k + 2}_${i + 1}`;
        const cin = i === 0 ? inC : outC;
        const e = cbn(x, `${name}_expand`, Math.round(cin * t!), 1, 1, true);
        const d = cbn(e, `${name}_dwise`, Math.round(cin * t!), 3, i === 0 ? st : 1, true, true);
        const lin = cbn(d, `${name}_linear`, outC, 1, 1, false);
        x = i === 0 ? lin : add(x, lin);
        if (count + n! === 4 && i === n! - 1) s4 = d;
      }
      inC = outC;
      count += n!;
    });
    features = x;
    skip = s4!;
  } else {
    const eps = 1e-3;
    const bb = o.backbone;
    const entry =
      bb === 'xception_71'
        ? { s: [2, 1, 2, 1, 2], c: [128, 256, 256, 728, 728] }
        : { s: [2, 2, 2], c: [128, 256, 728] };
    const middle = bb === 'xception_41' ? 8 : 16;
    const decodePoint = bb === 'xception_71' ? 3 : 2;
    let s = 2;
    const block = (
      x: Chw,
      scope: string,
      ch: number[],
      strides: number[],
      dil: number,
      skipConv: boolean,
      hasSkip: boolean,
      actInside: boolean,
    ) => {
      let d = x;
      const results: Chw[] = [];
      for (let i = 0; i < 3; i++) {
        d = sepConv(
          actInside ? d : relu(d),
          `${scope}/separable_conv${i + 1}`,
          ch[i]!,
          strides[i]!,
          dil,
          actInside,
          eps,
        );
        results.push(d);
      }
      if (!hasSkip) return { out: d, results };
      const sk = skipConv
        ? norm(conv(x, `${scope}/shortcut`, ch[2]!, 1, strides[2]!), `${scope}/shortcut`, eps)
        : x;
      return { out: add(d, sk), results };
    };
    let x = relu(norm(conv(image, `${bb}/entry_flow/conv1`, 32, 3, 2, 1), `${bb}/entry_flow/conv1`, eps));
    x = relu(norm(conv(x, `${bb}/entry_flow/conv2`, 64, 3, 1, 1), `${bb}/entry_flow/conv2`, eps));
    let point = 0;
    let sk: Chw | undefined;
    entry.s.forEach((want, i) => {
      point++;
      const st = s * want <= o.outputStride ? want : 1;
      const r = block(
        x,
        `${bb}/entry_flow/block${i + 1}`,
        [entry.c[i]!, entry.c[i]!, entry.c[i]!],
        [1, 1, st],
        1,
        true,
        true,
        false,
      );
      s *= st;
      if (point === decodePoint) sk = r.results[1];
      x = r.out;
    });
    for (let i = 0; i < middle; i++)
      x = block(x, `${bb}/middle_flow/block${i + 1}`, [728, 728, 728], [1, 1, 1], 1, false, true, false).out;
    const st = s * 2 <= o.outputStride ? 2 : 1;
    x = block(x, `${bb}/exit_flow/block1`, [728, 1024, 1024], [1, 1, st], 1, true, true, false).out;
    x = block(x, `${bb}/exit_flow/block2`, [1536, 1536, 2048], [1, 1, 1], 2, true, false, true).out;
    features = x;
    skip = sk!;
  }
  const hd = o.head ?? {};
  const filters = hd.asppFilters ?? 256;
  let data = features;
  if (o.encoder) {
    const ratios = o.outputStride === 16 ? [6, 12, 18] : o.outputStride === 8 ? [12, 24, 36] : [];
    let pooled: Chw;
    if (hd.poolCrop) {
      const kh = Math.trunc((hd.poolCrop[1] - 1) / o.outputStride + 1);
      const kw = Math.trunc((hd.poolCrop[0] - 1) / o.outputStride + 1);
      const [sh, sw] = hd.poolStride ?? [1, 1];
      pooled = avgPool(data, { kh, kw, sh, sw });
    } else {
      pooled = chw(data.c, 1, 1);
      for (let c = 0; c < data.c; c++) {
        let m = 0;
        for (let i = 0; i < data.h * data.w; i++) m += data.data[c * data.h * data.w + i]!;
        pooled.data[c] = m / (data.h * data.w);
      }
    }
    const pc = conv(pooled, 'encoder/image_pool', filters, 1);
    const gate = hd.qsigmoid
      ? { ...pc, data: pc.data.map((v) => f(Math.min(Math.max(f(v + 3), 0), 6) * f(0.16667))) }
      : relu(norm(pc, 'encoder/image_pool', 1e-5));
    const img = bilinearInterp(gate, data.h, data.w, true, 1);
    const parts = hd.imageLevel === false ? [] : [img];
    parts.push(relu(norm(conv(data, 'encoder/aspp0', filters, 1), 'encoder/aspp0', 1e-5)));
    ratios.forEach((r, i) => {
      parts.push(sepConv(data, `encoder/aspp${i + 1}`, filters, 1, r, true, 1e-5));
    });
    data = concatChannels(parts);
    if (hd.projection !== false) {
      data = relu(norm(conv(data, 'encoder/concat', filters, 1), 'encoder/concat', 1e-5));
      data = scale(data, f(1 - f(0.9)));
    }
    if (hd.se) data = { ...data, data: data.data.map((v, i) => f(v * img.data[i]!)) };
  }
  const classes = o.oneChannel ? 1 : o.numClasses;
  const decode = () => {
    if (!o.decoder) return data;
    if (hd.sumMerge) {
      const df = hd.decoderFilters ?? 256;
      const a = conv(bilinearInterp(data, skip.h, skip.w, true, 1), 'decoder', df, 1);
      return add(a, conv(skip, 'decoder/merge', df, 1));
    }
    const sk = relu(norm(conv(skip, 'decoder/concat', 48, 1), 'decoder/concat', 1e-5));
    const cat = concatChannels([bilinearInterp(data, sk.h, sk.w, true, 1), sk]);
    const d1 = sepConv(cat, 'decoder/separable_conv1', 256, 1, 1, true, 1e-5);
    return sepConv(d1, 'decoder/separable_conv2', 256, 1, 1, true, 1e-5);
  };
  // Which parameters a calibration scales to make the logits unit-spread.
  const last = hd.logits ? ['decoder/weights', 'decoder/merge/weights'] : ['logit/weights', 'logit/biases'];
  const head = () => {
    const d = decode();
    return hd.logits ? d : conv(d, 'logit', classes, 1, 1, 0, 1, true);
  };
  let logit = head();
  if (o.calibrate) {
    let sq = 0;
    for (const v of logit.data) sq += v * v;
    const k = 1 / Math.sqrt(sq / logit.data.length);
    for (const name of last)
      w.set(
        name,
        w.get(name)!.map((v) => v * k),
      );
    logit = head();
  }
  const up = bilinearInterp(logit, image.h, image.w, true, 1);
  if (!o.oneChannel) return softmaxChannels(up);
  const out = chw(2, up.h, up.w);
  const n = up.h * up.w;
  for (let i = 0; i < n; i++) {
    const p = f(1 / (1 + Math.exp(-up.data[i]!)));
    out.data[i] = f(1 - p);
    out.data[n + i] = p;
  }
  return out;
}

type SuffixConvBn = (
  x: Chw,
  name: string,
  cout: number,
  k: number,
  stride: number,
  pad: number,
  dil?: number,
  dw?: boolean,
) => Chw;

/** make_divisible(v, 8), written from its definition. */
function divisible(v: number): number {
  let n = Math.max(8, Math.floor(Math.trunc(v + 4) / 8) * 8);
  if (n < 0.9 * v) n += 8;
  return n;
}

/** MobileNetV3 large/small, to `conv_last`, and the 1/4 skip (expand output of the first stride-2 unit entered at 1/4). */
function mobilenetV3Ref(
  o: DeeplabRefOptions,
  image: Chw,
  cbn: SuffixConvBn,
  param: (name: string, dims: number[]) => Float32Array,
): { features: Chw; skip: Chw } {
  const large = o.backbone === 'mobilenetv3_large';
  // k, expansion, out, SE, hard_swish, stride — MobileNetV3's published tables.
  const table: Array<[number, number, number, boolean, boolean, number]> = large
    ? [
        [3, 16, 16, false, false, 1],
        [3, 64, 24, false, false, 2],
        [3, 72, 24, false, false, 1],
        [5, 72, 40, true, false, 2],
        [5, 120, 40, true, false, 1],
        [5, 120, 40, true, false, 1],
        [3, 240, 80, false, true, 2],
        [3, 200, 80, false, true, 1],
        [3, 184, 80, false, true, 1],
        [3, 184, 80, false, true, 1],
        [3, 480, 112, true, true, 1],
        [3, 672, 112, true, true, 1],
        [5, 672, 160, true, true, 2],
        [5, 960, 160, true, true, 1],
        [5, 960, 160, true, true, 1],
      ]
    : [
        [3, 16, 16, true, false, 2],
        [3, 72, 24, false, false, 2],
        [3, 88, 24, false, false, 1],
        [5, 96, 40, true, true, 2],
        [5, 240, 40, true, true, 1],
        [5, 240, 40, true, true, 1],
        [5, 120, 48, true, true, 1],
        [5, 144, 48, true, true, 1],
        [5, 288, 96, true, true, 2],
        [5, 576, 96, true, true, 1],
        [5, 576, 96, true, true, 1],
      ];
  const sc = o.depthMultiplier ?? 1;
  const act = (x: Chw, hs: boolean) => (hs ? hardSwish(x) : relu(x));
  let inC = divisible(16 * sc);
  let x = hardSwish(cbn(image, 'conv1', inC, 3, 2, 1));
  let cumulative = 2;
  let stride = 2;
  let skip: Chw | undefined;
  table.forEach(([k, e, c, se, hs, s0], i) => {
    cumulative *= s0;
    const s = cumulative > o.outputStride ? 1 : s0;
    const name = `conv${i + 2}`;
    const mid = divisible(e * sc);
    const out = divisible(c * sc);
    const ex = act(cbn(x, `${name}_expand`, mid, 1, 1, 0), hs);
    if (!skip && stride === 4 && s === 2) skip = ex;
    let y = act(cbn(ex, `${name}_depthwise`, mid, k, s, (k - 1) / 2, 1, true), hs);
    if (se) {
      const q = Math.floor(mid / 4);
      const sq = relu(
        conv2d(globalAvg(y), param(`${name}_se_1_weights`, [q, mid, 1, 1]), q, 1, {
          stride: 1,
          pad: 0,
          dilation: 1,
          bias: param(`${name}_se_1_offset`, [q]),
        }),
      );
      const g = hardSigmoid(
        conv2d(sq, param(`${name}_se_2_weights`, [mid, q, 1, 1]), mid, 1, {
          stride: 1,
          pad: 0,
          dilation: 1,
          bias: param(`${name}_se_2_offset`, [mid]),
        }),
      );
      const n = y.h * y.w;
      y = { ...y, data: y.data.map((v, j) => f(v * g.data[Math.floor(j / n)]!)) };
    }
    const lin = cbn(y, `${name}_linear`, out, 1, 1, 0);
    x = inC === out && s === 1 ? add(x, lin) : lin;
    stride *= s;
    inC = out;
  });
  x = hardSwish(cbn(x, 'conv_last', divisible((large ? 960 : 576) * sc), 1, 1, 0));
  return { features: x, skip: skip! };
}

/** ResNet50_vd as DeepLab builds it, and the skip after res2c. */
function resnetVdRef(
  o: DeeplabRefOptions,
  image: Chw,
  cbn: (x: Chw, name: string, cout: number, k: number, stride: number, pad: number, dil: number) => Chw,
): { features: Chw; skip: Chw } {
  const dil = o.outputStride === 8 ? [1, 1, 2, 4] : [1, 1, 1, 2];
  const grid = [1, 2, 4];
  let x = relu(cbn(image, 'conv1_1', 32, 3, 2, 1, 1));
  x = relu(cbn(x, 'conv1_2', 32, 3, 1, 1, 1));
  x = relu(cbn(x, 'conv1_3', 64, 3, 1, 1, 1));
  x = maxPool(x, 3, 2, 1);
  let skip: Chw | undefined;
  [3, 4, 6, 3].forEach((n, b) => {
    for (let i = 0; i < n; i++) {
      const name = `res${b + 2}${'abcdef'[i]}`;
      const nf = [64, 128, 256, 512][b]!;
      const d = b === 3 ? dil[b]! * grid[i]! : dil[b]!;
      const s = i === 0 && b > 0 && d === 1 ? 2 : 1;
      const a = relu(cbn(x, `${name}_branch2a`, nf, 1, 1, 0, 1));
      const m = relu(cbn(a, `${name}_branch2b`, nf, 3, s, d, d));
      const c = cbn(m, `${name}_branch2c`, nf * 4, 1, 1, 0, 1);
      let short = x;
      if (x.c !== nf * 4 || s !== 1) {
        // The vd shortcut: average pool 2×2 stride 2 (ceil, exclusive) before the 1×1 where it strides.
        short =
          s === 2
            ? cbn(
                avgPool(x, { kh: 2, kw: 2, sh: 2, sw: 2, ceil: true }),
                `${name}_branch1`,
                nf * 4,
                1,
                1,
                0,
                1,
              )
            : cbn(x, `${name}_branch1`, nf * 4, 1, 1, 0, 1);
      }
      x = relu(add(short, c));
      if (b === 0 && i === n - 1) skip = x;
    }
  });
  return { features: x, skip: skip! };
}
