/**
 * `deploy.yaml`, byte for byte as PaddleSeg's `export_inference_config` writes it (spec
 * §5.4): `DEPLOY:`, then one 8-space-indented `KEY : value` line per field, and a final
 * line of 4 spaces without a newline. For an ONNX export pdseg writes
 * `MODEL_FILENAME : "model.onnx"` and `PARAMS_FILENAME : ""` (the weights live inside the
 * ONNX file); for a Paddle inference model, its two file names, as PaddleSeg does.
 */
import type { ExportConfig } from './export-config.js';
import { pyFloatList, pyIntTuple } from './python-repr.js';

/** File name of the exported model inside FREEZE.SAVE_DIR. */
export const MODEL_FILENAME = 'model.onnx';

/** The text of `deploy.yaml` for `cfg`. */
export function deployYaml(
  cfg: ExportConfig,
  files: { model: string; params: string } = { model: MODEL_FILENAME, params: '' },
): string {
  const fields: Array<[string, string]> = [
    ['USE_GPU', '1'],
    ['USE_PR', '0'],
    ['MODEL_PATH', `"${cfg.FREEZE.SAVE_DIR}"`],
    ['MODEL_FILENAME', `"${files.model}"`],
    ['PARAMS_FILENAME', `"${files.params}"`],
    ['EVAL_CROP_SIZE', pyIntTuple(cfg.EVAL_CROP_SIZE)],
    ['MEAN', pyFloatList(cfg.MEAN)],
    ['STD', pyFloatList(cfg.STD)],
    ['IMAGE_TYPE', `"${cfg.DATASET.IMAGE_TYPE}"`],
    ['NUM_CLASSES', String(Math.trunc(cfg.DATASET.NUM_CLASSES))],
    ['CHANNELS', String(cfg.STD.length)],
    ['PRE_PROCESSOR', '"SegPreProcessor"'],
    ['PREDICTOR_MODE', '"ANALYSIS"'],
    ['BATCH_SIZE', '1'],
  ];
  return `DEPLOY:\n${fields.map(([k, v]) => `        ${k} : ${v}\n`).join('')}    `;
}
