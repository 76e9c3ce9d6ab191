/**
 * The preprocessing and postprocessing settings of predict and eval (spec §6, §7): what
 * vis.py and eval.py read from the config. They come from the exported model's
 * `metadata_props` (JSON values written by `pdseg export`), or from a checked config when
 * the user gives `--cfg` or `KEY VALUE` overrides (PaddleSeg's scripts read the config).
 */
import type { SegConfig } from '../config/index.js';
import { PdsegError } from '../errors.js';
import type { StringStringEntry } from '../onnx/types.js';

/** Resize policy at inference (`AUG.AUG_METHOD`, spec §6). */
export type AugMethod = 'unpadding' | 'stepscaling' | 'rangescaling';

/** Everything preprocessing and postprocessing need. Sizes are (width, height). */
export interface PredictSettings {
  numClasses: number;
  /**
   * `DATASET.DATA_DIM`: 3 (IMAGE_TYPE rgb/gray, read with IMREAD_COLOR) or 4 (rgba, read
   * with IMREAD_UNCHANGED); also the length of MEAN, STD and PADDING_VALUE.
   */
  channels: number;
  /** `EVAL_CROP_SIZE` as (width, height). */
  cropSize: [number, number];
  mean: number[];
  std: number[];
  toRgb: boolean;
  augMethod: AugMethod;
  /** `AUG.FIX_RESIZE_SIZE` (width, height), used by `unpadding`. */
  fixResizeSize: [number, number];
  /** `AUG.INF_RESIZE_VALUE`, used by `rangescaling`. */
  infResizeValue: number;
  /** `DATASET.PADDING_VALUE` (float, = MEAN×255 after check_and_infer), per channel. */
  paddingValue: number[];
  /** `DATASET.IGNORE_INDEX` (eval: label padding and skipped pixels). */
  ignoreIndex: number;
}

const AUG_METHODS: readonly string[] = ['unpadding', 'stepscaling', 'rangescaling'];

function pair(v: unknown, key: string): [number, number] {
  if (!Array.isArray(v) || v.length !== 2 || !v.every((x) => Number.isInteger(x) && x > 0)) {
    throw new PdsegError(
      'MODEL_FORMAT',
      `${key} must be a pair of positive integers (width, height), got ${JSON.stringify(v)}`,
    );
  }
  return [v[0] as number, v[1] as number];
}

function numbers(v: unknown, key: string): number[] {
  if (!Array.isArray(v) || v.length === 0 || !v.every((x) => typeof x === 'number')) {
    throw new PdsegError('MODEL_FORMAT', `${key} must be a list of numbers, got ${JSON.stringify(v)}`);
  }
  return v as number[];
}

function augMethod(v: unknown): AugMethod {
  if (typeof v !== 'string' || !AUG_METHODS.includes(v)) {
    throw new PdsegError(
      'CONFIG_CHECK',
      `AUG.AUG_METHOD config error, only support \`unpadding\`, \`stepscaling\` and \`rangescaling\` (got ${JSON.stringify(v)})`,
    );
  }
  return v as AugMethod;
}

/**
 * Settings from an exported model's metadata (keys of `src/export/metadata.ts`). Throws
 * MODEL_FORMAT naming the missing key when the model was not written by `pdseg export`.
 */
export function settingsFromMetadata(meta: readonly StringStringEntry[], source: string): PredictSettings {
  const map = new Map(meta.map((e) => [e.key, e.value]));
  const get = (key: string): unknown => {
    const text = map.get(key);
    if (text === undefined) {
      throw new PdsegError(
        'MODEL_FORMAT',
        `model "${source}" has no metadata "${key}" (it was not exported by pdseg export); pass --cfg with the config that built it`,
      );
    }
    try {
      return JSON.parse(text);
    } catch (e) {
      throw new PdsegError('MODEL_FORMAT', `model "${source}" metadata "${key}" is not JSON: ${text}`, {
        cause: e,
      });
    }
  };
  const mean = numbers(get('MEAN'), 'MEAN');
  const cfg = map.has('CONFIG') ? (get('CONFIG') as { DATASET?: { IGNORE_INDEX?: number } }) : undefined;
  return checkChannels({
    numClasses: get('NUM_CLASSES') as number,
    channels: get('DATA_DIM') as number,
    cropSize: pair(get('EVAL_CROP_SIZE'), 'EVAL_CROP_SIZE'),
    mean,
    std: numbers(get('STD'), 'STD'),
    toRgb: get('TO_RGB') === true,
    augMethod: augMethod(get('AUG.AUG_METHOD')),
    fixResizeSize: pair(get('AUG.FIX_RESIZE_SIZE'), 'AUG.FIX_RESIZE_SIZE'),
    infResizeValue: get('AUG.INF_RESIZE_VALUE') as number,
    // check_and_infer: PADDING_VALUE = MEAN × 255 (spec §1.1 item 2).
    paddingValue: mean.map((m) => m * 255),
    ignoreIndex: cfg?.DATASET?.IGNORE_INDEX ?? 255,
  });
}

/** Settings from a checked config (spec §1.2 keys). */
export function settingsFromConfig(cfg: SegConfig): PredictSettings {
  const mean = numbers(cfg.MEAN ? [...cfg.MEAN] : null, 'MEAN');
  return checkChannels({
    numClasses: cfg.DATASET.NUM_CLASSES,
    channels: cfg.DATASET.DATA_DIM,
    cropSize: pair([...cfg.EVAL_CROP_SIZE], 'EVAL_CROP_SIZE'),
    mean,
    std: numbers(cfg.STD ? [...cfg.STD] : null, 'STD'),
    toRgb: cfg.AUG.TO_RGB === true,
    augMethod: augMethod(cfg.AUG.AUG_METHOD),
    fixResizeSize: pair([...cfg.AUG.FIX_RESIZE_SIZE], 'AUG.FIX_RESIZE_SIZE'),
    infResizeValue: cfg.AUG.INF_RESIZE_VALUE,
    paddingValue: cfg.DATASET.PADDING_VALUE ? [...cfg.DATASET.PADDING_VALUE] : mean.map((m) => m * 255),
    ignoreIndex: cfg.DATASET.IGNORE_INDEX,
  });
}

/**
 * PaddleSeg's reader requires an image's channel count to equal DATA_DIM, `len(MEAN)` and
 * `len(STD)` (spec §6) and fails every image otherwise; this says so once, before anything runs.
 */
function checkChannels(s: PredictSettings): PredictSettings {
  if (s.channels !== 3 && s.channels !== 4) {
    throw new PdsegError(
      'MODEL_FORMAT',
      `DATASET.DATA_DIM must be 3 or 4, got ${JSON.stringify(s.channels)}`,
    );
  }
  for (const [key, list] of [
    ['MEAN', s.mean],
    ['STD', s.std],
  ] as const) {
    if (list.length !== s.channels) {
      throw new PdsegError(
        'CONFIG_CHECK',
        `${key} has ${list.length} values but images have ${s.channels} channels (DATASET.IMAGE_TYPE ${s.channels === 4 ? 'rgba' : 'rgb/gray'}); give ${key} one value per channel`,
      );
    }
  }
  return s;
}
