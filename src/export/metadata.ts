/**
 * `metadata_props` of the exported model (DESIGN.md): everything predict needs, so
 * `model.onnx` alone is enough. Values are JSON text (`EVAL_CROP_SIZE` = `[width, height]`,
 * `MEAN` = `[0.5,0.5,0.5]`, `TO_RGB` = `false`, strings quoted), plus `PDSEG_VERSION` and
 * `CONFIG`, the whole config that built the model.
 */
import type { StringStringEntry } from '../onnx/types.js';
import type { ExportConfig } from './export-config.js';

/** Metadata keys written by {@link modelMetadata}, in order. */
export const METADATA_KEYS = [
  'MODEL_NAME',
  'NUM_CLASSES',
  'EVAL_CROP_SIZE',
  'MEAN',
  'STD',
  'IMAGE_TYPE',
  'DATA_DIM',
  'TO_RGB',
  'AUG.AUG_METHOD',
  'AUG.FIX_RESIZE_SIZE',
  'AUG.INF_RESIZE_VALUE',
  'AUG.MIN_RESIZE_VALUE',
  'AUG.MAX_RESIZE_VALUE',
  'INPUT',
  'OUTPUT',
  'PDSEG_VERSION',
  'CONFIG',
] as const;

/** The metadata entries for a model built from `cfg` by pdseg `version`. */
export function modelMetadata(
  cfg: ExportConfig,
  o: { version: string; input: string; output: string },
): StringStringEntry[] {
  const values: Record<(typeof METADATA_KEYS)[number], unknown> = {
    MODEL_NAME: cfg.MODEL.MODEL_NAME,
    NUM_CLASSES: cfg.DATASET.NUM_CLASSES,
    EVAL_CROP_SIZE: cfg.EVAL_CROP_SIZE,
    MEAN: cfg.MEAN,
    STD: cfg.STD,
    IMAGE_TYPE: cfg.DATASET.IMAGE_TYPE,
    DATA_DIM: cfg.DATASET.DATA_DIM,
    TO_RGB: cfg.AUG.TO_RGB,
    'AUG.AUG_METHOD': cfg.AUG.AUG_METHOD,
    'AUG.FIX_RESIZE_SIZE': cfg.AUG.FIX_RESIZE_SIZE,
    'AUG.INF_RESIZE_VALUE': cfg.AUG.INF_RESIZE_VALUE,
    'AUG.MIN_RESIZE_VALUE': cfg.AUG.MIN_RESIZE_VALUE ?? null,
    'AUG.MAX_RESIZE_VALUE': cfg.AUG.MAX_RESIZE_VALUE ?? null,
    INPUT: o.input,
    OUTPUT: o.output,
    PDSEG_VERSION: o.version,
    CONFIG: cfg,
  };
  return METADATA_KEYS.map((key) => ({ key, value: JSON.stringify(values[key]) }));
}
