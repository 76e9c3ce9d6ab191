/**
 * The model registry (STYLE.md §7): `MODEL.MODEL_NAME` → network builder, a plain map.
 * A duplicate name is an error; an unknown name is a `MODEL_UNKNOWN` error listing the
 * known ones. The next models slot in with one entry.
 */
import { PdsegError } from '../errors.js';
import type { ProgramBuilder, Var } from '../program/program-builder.js';
import { hrnetStagesOf } from './backbone/hrnet.js';
import type { ModelConfig } from './model-config.js';
import { type DeeplabKeys, deeplabv3p } from './modeling/deeplab.js';
import { fastScnn } from './modeling/fast-scnn.js';
import { hrnet } from './modeling/hrnet.js';
import { icnet } from './modeling/icnet.js';
import { ocrnet } from './modeling/ocrnet.js';
import { pspnet } from './modeling/pspnet.js';
import { unet } from './modeling/unet.js';

/** Builds the logits `[N, NUM_CLASSES, H, W]` of a network from the image input. */
export type NetworkBuilder = (p: ProgramBuilder, image: Var, cfg: ModelConfig, numClasses: number) => Var;

/** The `model_libs.bn` settings of a config. */
function normOf(cfg: ModelConfig) {
  return {
    epsilon: cfg.MODEL.DEFAULT_EPSILON,
    momentum: cfg.MODEL.BN_MOMENTUM,
    normType: cfg.MODEL.DEFAULT_NORM_TYPE,
    groups: cfg.MODEL.DEFAULT_GROUP_NUMBER,
  };
}

/** Makes a registry from entries; a name given twice throws. */
export function createModelRegistry(
  entries: ReadonlyArray<readonly [string, NetworkBuilder]>,
): ReadonlyMap<string, NetworkBuilder> {
  const map = new Map<string, NetworkBuilder>();
  for (const [name, fn] of entries) {
    if (map.has(name)) throw new RangeError(`model "${name}" is registered twice`);
    map.set(name, fn);
  }
  return map;
}

/** The models pdseg can export. */
export const MODELS: ReadonlyMap<string, NetworkBuilder> = createModelRegistry([
  [
    'pspnet',
    (p, image, cfg, numClasses) =>
      pspnet(p, image, {
        numClasses,
        layers: cfg.MODEL.PSPNET.LAYERS,
        depthMultiplier: cfg.MODEL.PSPNET.DEPTH_MULTIPLIER,
        epsilon: cfg.MODEL.DEFAULT_EPSILON,
        momentum: cfg.MODEL.BN_MOMENTUM,
        normType: cfg.MODEL.DEFAULT_NORM_TYPE,
      }),
  ],
  [
    'unet',
    (p, image, cfg, numClasses) =>
      unet(p, image, {
        numClasses,
        upsampleMode: cfg.MODEL.UNET?.UPSAMPLE_MODE ?? 'bilinear',
        ...normOf(cfg),
      }),
  ],
  [
    'hrnet',
    (p, image, cfg, numClasses) => {
      if (!cfg.MODEL.HRNET) throw new RangeError('the config has no MODEL.HRNET keys');
      return hrnet(p, image, { numClasses, stages: hrnetStagesOf(cfg.MODEL.HRNET) });
    },
  ],
  [
    'ocrnet',
    (p, image, cfg, numClasses) => {
      if (!cfg.MODEL.HRNET) throw new RangeError('the config has no MODEL.HRNET keys');
      return ocrnet(p, image, {
        numClasses,
        stages: hrnetStagesOf(cfg.MODEL.HRNET),
        midChannels: cfg.MODEL.OCR?.OCR_MID_CHANNELS ?? 512,
        keyChannels: cfg.MODEL.OCR?.OCR_KEY_CHANNELS ?? 256,
      });
    },
  ],
  [
    'icnet',
    (p, image, cfg, numClasses) =>
      icnet(p, image, {
        numClasses,
        layers: cfg.MODEL.ICNET?.LAYERS ?? 50,
        depthMultiplier: cfg.MODEL.ICNET?.DEPTH_MULTIPLIER ?? 0.5,
        norm: normOf(cfg),
      }),
  ],
  ['fast_scnn', (p, image, cfg, numClasses) => fastScnn(p, image, { numClasses, norm: normOf(cfg) })],
  [
    'deeplabv3p',
    (p, image, cfg, numClasses) => {
      if (!cfg.MODEL.DEEPLAB) throw new RangeError('the config has no MODEL.DEEPLAB keys');
      return deeplabv3p(p, image, {
        numClasses,
        keys: cfg.MODEL.DEEPLAB as DeeplabKeys,
        momentum: cfg.MODEL.BN_MOMENTUM,
        normType: cfg.MODEL.DEFAULT_NORM_TYPE,
        groups: cfg.MODEL.DEFAULT_GROUP_NUMBER,
      });
    },
  ],
]);

/** Per architecture: its name in messages and the config keys its parameter names and shapes depend on. */
export const MODEL_HINTS: ReadonlyMap<string, { label: string; keys: readonly string[] }> = new Map([
  ['pspnet', { label: 'PSPNet', keys: ['MODEL.PSPNET.LAYERS', 'MODEL.PSPNET.DEPTH_MULTIPLIER'] }],
  ['unet', { label: 'UNet', keys: ['MODEL.UNET.UPSAMPLE_MODE', 'MODEL.DEFAULT_NORM_TYPE'] }],
  [
    'hrnet',
    { label: 'HRNet', keys: ['MODEL.HRNET.STAGE2/3/4.NUM_CHANNELS', 'MODEL.HRNET.STAGE2/3/4.NUM_MODULES'] },
  ],
  [
    'ocrnet',
    {
      label: 'OCRNet',
      keys: [
        'MODEL.HRNET.STAGE2/3/4.NUM_CHANNELS',
        'MODEL.OCR.OCR_MID_CHANNELS',
        'MODEL.OCR.OCR_KEY_CHANNELS',
      ],
    },
  ],
  ['icnet', { label: 'ICNet', keys: ['MODEL.ICNET.LAYERS', 'MODEL.ICNET.DEPTH_MULTIPLIER'] }],
  ['fast_scnn', { label: 'Fast-SCNN', keys: ['DATASET.NUM_CLASSES', 'MODEL.DEFAULT_NORM_TYPE'] }],
  [
    'deeplabv3p',
    {
      label: 'DeepLabv3+',
      keys: [
        'MODEL.DEEPLAB.BACKBONE',
        'MODEL.DEEPLAB.DEPTH_MULTIPLIER',
        'MODEL.DEEPLAB.ENCODER_WITH_ASPP',
        'MODEL.DEEPLAB.ENABLE_DECODER',
        'MODEL.DEFAULT_NORM_TYPE',
      ],
    },
  ],
]);

/** The builder for `name`, or a `MODEL_UNKNOWN` error naming the known models. */
export function lookupModel(
  name: string,
  registry: ReadonlyMap<string, NetworkBuilder> = MODELS,
): NetworkBuilder {
  const fn = registry.get(name);
  if (!fn) {
    throw new PdsegError(
      'MODEL_UNKNOWN',
      `MODEL.MODEL_NAME "${name}" is not a model pdseg can build; known models: ${[...registry.keys()].join(', ')}`,
    );
  }
  return fn;
}
