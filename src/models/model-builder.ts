/**
 * PaddleSeg's `model_builder.build_model` in the PREDICT phase (spec §4.4, §5.1), recorded
 * as a Paddle program: input `image` float32 `[-1, DATA_DIM, H, W]` (H×W = EVAL_CROP_SIZE
 * height × width), the registered network's logits, then transpose → softmax (last axis) →
 * transpose, and what `save_inference_model` adds (the `scale` 1.0 writing
 * `save_infer_model/scale_0.tmp_0`, feed and fetch ops).
 */
import { PdsegError } from '../errors.js';
import { SourceLocator } from '../onnx/source-location.js';
import * as L from '../program/layers.js';
import type { Program } from '../program/program.js';
import { ProgramBuilder } from '../program/program-builder.js';
import type { ModelConfig } from './model-config.js';
import { lookupModel } from './registry.js';

/** Name of the graph input (spec §5.1). */
export const INPUT_NAME = 'image';
/** Name Paddle 1.8 gives the fetch target (spec §5.3). */
export const OUTPUT_NAME = 'save_infer_model/scale_0.tmp_0';

/** Losses that make PaddleSeg build a one-channel (sigmoid) head (spec §4.4). */
const ONE_CHANNEL_LOSSES = ['dice_loss', 'bce_loss', 'lovasz_hinge_loss'];

/** Options of {@link buildPredictProgram}. */
export interface BuildOptions {
  /** Repository root for the ops' `op_callstack`; omit to record none. */
  sourceRoot?: string;
}

/** The complete PREDICT inference program of the network `cfg` names. */
export function buildPredictProgram(cfg: ModelConfig, options: BuildOptions = {}): Program {
  const loss = cfg.SOLVER?.LOSS ?? [];
  const oneChannel = loss.filter((l) => ONE_CHANNEL_LOSSES.includes(l));
  if (oneChannel.length > 0) {
    throw new PdsegError(
      'CONFIG_CHECK',
      `SOLVER.LOSS ${JSON.stringify(loss)} asks for a one-channel head (${oneChannel.join(', ')}), which pdseg export does not build yet; use softmax_loss`,
    );
  }
  const [width, height] = cfg.EVAL_CROP_SIZE;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width! < 1 || height! < 1) {
    throw new PdsegError(
      'CONFIG_CHECK',
      `EVAL_CROP_SIZE ${JSON.stringify(cfg.EVAL_CROP_SIZE)} must be a pair of positive integers (width, height)`,
    );
  }
  const network = lookupModel(cfg.MODEL.MODEL_NAME);
  const locator = options.sourceRoot ? new SourceLocator(options.sourceRoot, () => false) : undefined;
  const p = new ProgramBuilder({ locator });
  const image = L.data(p, INPUT_NAME, [-1, cfg.DATASET.DATA_DIM, height!, width!]);
  const logit = network(p, image, cfg, cfg.DATASET.NUM_CLASSES);
  const probs = p.nameScope('softmax', () => {
    const nhwc = L.transpose(p, logit, [0, 2, 3, 1]);
    const sm = L.softmax(p, nhwc);
    return L.transpose(p, sm, [0, 3, 1, 2]);
  });
  return p.inferenceProgram([image], [probs]);
}
