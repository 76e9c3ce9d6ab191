/**
 * HRNet of PaddleSeg v0.7 (`modeling/hrnet.py`; the same body OCRNet reuses): a stem of two
 * 3×3 stride-2 `conv_bn_layer`s (`layer1_1`, `layer1_2`), `layer1` = four bottlenecks at 64
 * (`layer2_1…4`), then transitions and stages: stage k has k branches at the
 * `MODEL.HRNET.STAGEk.NUM_CHANNELS` widths, each high-resolution module is four basic blocks
 * per branch (`st2_1_branch_layer_1_1_conv1`) and a fuse (`st3_1_layer_1_2`: 1×1 conv + BN,
 * bilinear resize to the exact size of the higher branch; or a chain of 3×3 stride-2 convs
 * down), summed and relu'd. Convs have no bias; batch norms are fluid's defaults
 * (ε 1e-5, momentum 0.9), named `<name>_bn_{scale,offset,mean,variance}`.
 */
import { PdsegError } from '../../errors.js';
import * as L from '../../program/layers.js';
import type { ProgramBuilder, Var } from '../../program/program-builder.js';
import { suffixConvBn } from '../libs/conv-bn-layer.js';

/** `MODEL.HRNET.STAGEk.{NUM_MODULES, NUM_CHANNELS}` for k = 2, 3, 4. */
export interface HrnetStages {
  stage2: { modules: number; channels: readonly number[] };
  stage3: { modules: number; channels: readonly number[] };
  stage4: { modules: number; channels: readonly number[] };
}

/** Checks the stage keys against HRNet's rules; the error names the key and the rule. */
export function checkHrnetStages(s: HrnetStages): void {
  const stages = [
    ['STAGE2', s.stage2, 2],
    ['STAGE3', s.stage3, 3],
    ['STAGE4', s.stage4, 4],
  ] as const;
  for (const [key, stage, branches] of stages) {
    if (!Number.isInteger(stage.modules) || stage.modules < 1) {
      throw new PdsegError(
        'CONFIG_CHECK',
        `MODEL.HRNET.${key}.NUM_MODULES ${stage.modules} must be a positive integer (each module is four basic blocks per branch and a fuse)`,
      );
    }
    if (stage.channels.length !== branches) {
      throw new PdsegError(
        'CONFIG_CHECK',
        `MODEL.HRNET.${key}.NUM_CHANNELS ${JSON.stringify(stage.channels)} has ${stage.channels.length} entries; stage ${branches} has ${branches} branches, one width each (e.g. [${[18, 36, 72, 144].slice(0, branches).join(', ')}])`,
      );
    }
    if (!stage.channels.every((c) => Number.isInteger(c) && c > 0)) {
      throw new PdsegError(
        'CONFIG_CHECK',
        `MODEL.HRNET.${key}.NUM_CHANNELS ${JSON.stringify(stage.channels)} must be positive integers`,
      );
    }
  }
}

/** HRNet's own `conv_bn_layer`: {@link suffixConvBn} with a relu unless `act` is false. */
export function hrnetConvBn(
  p: ProgramBuilder,
  x: Var,
  o: { filterSize: number; numFilters: number; stride?: number; act?: boolean; name: string },
): Var {
  return suffixConvBn(p, x, { ...o, act: (o.act ?? true) ? 'relu' : undefined });
}

function basicBlock(p: ProgramBuilder, x: Var, filters: number, name: string): Var {
  const a = hrnetConvBn(p, x, { filterSize: 3, numFilters: filters, name: `${name}_conv1` });
  const b = hrnetConvBn(p, a, { filterSize: 3, numFilters: filters, act: false, name: `${name}_conv2` });
  return L.elementwiseAdd(p, x, b, { act: 'relu' });
}

function bottleneckBlock(p: ProgramBuilder, x: Var, filters: number, downsample: boolean, name: string): Var {
  const a = hrnetConvBn(p, x, { filterSize: 1, numFilters: filters, name: `${name}_conv1` });
  const b = hrnetConvBn(p, a, { filterSize: 3, numFilters: filters, name: `${name}_conv2` });
  const c = hrnetConvBn(p, b, { filterSize: 1, numFilters: filters * 4, act: false, name: `${name}_conv3` });
  const residual = downsample
    ? hrnetConvBn(p, x, { filterSize: 1, numFilters: filters * 4, act: false, name: `${name}_downsample` })
    : x;
  return L.elementwiseAdd(p, residual, c, { act: 'relu' });
}

function transitionLayer(
  p: ProgramBuilder,
  xs: readonly Var[],
  inCh: readonly number[],
  outCh: readonly number[],
  name: string,
): Var[] {
  return outCh.map((c, i) =>
    p.nameScope(`${name}_layer_${i + 1}`, () => {
      if (i < inCh.length) {
        return inCh[i] !== c
          ? hrnetConvBn(p, xs[i]!, { filterSize: 3, numFilters: c, name: `${name}_layer_${i + 1}` })
          : xs[i]!;
      }
      return hrnetConvBn(p, xs.at(-1)!, {
        filterSize: 3,
        numFilters: c,
        stride: 2,
        name: `${name}_layer_${i + 1}`,
      });
    }),
  );
}

function fuseLayers(p: ProgramBuilder, xs: readonly Var[], channels: readonly number[], name: string): Var[] {
  return channels.map((ci, i) =>
    p.nameScope(`fuse_${i + 1}`, () => {
      let residual = xs[i]!;
      const [h, w] = [residual.shape[2]!, residual.shape[3]!];
      for (let j = 0; j < channels.length; j++) {
        if (j > i) {
          const y = hrnetConvBn(p, xs[j]!, {
            filterSize: 1,
            numFilters: ci,
            act: false,
            name: `${name}_layer_${i + 1}_${j + 1}`,
          });
          residual = L.elementwiseAdd(p, residual, L.resizeBilinear(p, y, { outShape: [h, w] }));
        } else if (j < i) {
          let y = xs[j]!;
          for (let k = 0; k < i - j; k++) {
            const last = k === i - j - 1;
            y = hrnetConvBn(p, y, {
              filterSize: 3,
              numFilters: last ? ci : channels[j]!,
              stride: 2,
              act: !last,
              name: `${name}_layer_${i + 1}_${j + 1}_${k + 1}`,
            });
          }
          residual = L.elementwiseAdd(p, residual, y);
        }
      }
      return L.act(p, 'relu', residual);
    }),
  );
}

function stage(
  p: ProgramBuilder,
  xs: Var[],
  modules: number,
  channels: readonly number[],
  name: string,
): Var[] {
  let out = xs;
  for (let m = 0; m < modules; m++) {
    const module = `${name}_${m + 1}`;
    out = p.nameScope(module, () => {
      const branches = channels.map((c, i) =>
        p.nameScope(`branch_${i + 1}`, () => {
          let r = out[i]!;
          for (let j = 0; j < 4; j++) r = basicBlock(p, r, c, `${module}_branch_layer_${i + 1}_${j + 1}`);
          return r;
        }),
      );
      return fuseLayers(p, branches, channels, module);
    });
  }
  return out;
}

/** The HRNet body: the four branch outputs of stage 4, highest resolution first. */
export function hrnetBackbone(p: ProgramBuilder, input: Var, s: HrnetStages): Var[] {
  checkHrnetStages(s);
  return p.nameScope('hrnet', () => {
    let x = p.nameScope('stem', () => {
      const a = hrnetConvBn(p, input, { filterSize: 3, numFilters: 64, stride: 2, name: 'layer1_1' });
      return hrnetConvBn(p, a, { filterSize: 3, numFilters: 64, stride: 2, name: 'layer1_2' });
    });
    x = p.nameScope('layer1', () => {
      let y = x;
      for (let i = 0; i < 4; i++) y = bottleneckBlock(p, y, 64, i === 0, `layer2_${i + 1}`);
      return y;
    });
    const tr1 = p.nameScope('tr1', () => transitionLayer(p, [x], [256], s.stage2.channels, 'tr1'));
    const st2 = p.nameScope('st2', () => stage(p, tr1, s.stage2.modules, s.stage2.channels, 'st2'));
    const tr2 = p.nameScope('tr2', () =>
      transitionLayer(p, st2, s.stage2.channels, s.stage3.channels, 'tr2'),
    );
    const st3 = p.nameScope('st3', () => stage(p, tr2, s.stage3.modules, s.stage3.channels, 'st3'));
    const tr3 = p.nameScope('tr3', () =>
      transitionLayer(p, st3, s.stage3.channels, s.stage4.channels, 'tr3'),
    );
    return p.nameScope('st4', () => stage(p, tr3, s.stage4.modules, s.stage4.channels, 'st4'));
  });
}

/** The HRNet stage keys of a config (`MODEL.HRNET`). */
export function hrnetStagesOf(hrnet: {
  STAGE2: { NUM_MODULES: number; NUM_CHANNELS: readonly number[] };
  STAGE3: { NUM_MODULES: number; NUM_CHANNELS: readonly number[] };
  STAGE4: { NUM_MODULES: number; NUM_CHANNELS: readonly number[] };
}): HrnetStages {
  return {
    stage2: { modules: hrnet.STAGE2.NUM_MODULES, channels: hrnet.STAGE2.NUM_CHANNELS },
    stage3: { modules: hrnet.STAGE3.NUM_MODULES, channels: hrnet.STAGE3.NUM_CHANNELS },
    stage4: { modules: hrnet.STAGE4.NUM_MODULES, channels: hrnet.STAGE4.NUM_CHANNELS },
  };
}
