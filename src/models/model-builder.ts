/**
 * PaddleSeg's `model_builder.build_model` in the PREDICT phase (spec §4.4, §5.1), recorded
 * as a Paddle program: input `image` float32 `[-1, DATA_DIM, H, W]` (H×W = EVAL_CROP_SIZE
 * height × width), the registered network's logits (resized to H×W when smaller), then transpose → softmax (last axis) →
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

/**
 * `build_model`'s class count (spec §4.4): 1 (a sigmoid head) when `SOLVER.LOSS` holds
 * dice, bce or lovasz_hinge loss — which may not be mixed with the softmax losses, and need
 * `DATASET.NUM_CLASSES` ≤ 2 — else `DATASET.NUM_CLASSES`.
 */
export function classCount(cfg: ModelConfig): number {
  const loss = cfg.SOLVER?.LOSS ?? [];
  const oneChannel = loss.filter((l) => ONE_CHANNEL_LOSSES.includes(l));
  if (oneChannel.length === 0) return cfg.DATASET.NUM_CLASSES;
  const softmax = loss.filter((l) => l === 'softmax_loss' || l === 'lovasz_softmax_loss');
  if (softmax.length > 0) {
    throw new PdsegError(
      'CONFIG_CHECK',
      `SOLVER.LOSS ${JSON.stringify(loss)} mixes ${oneChannel.join(', ')} (one-channel sigmoid head) with ${softmax.join(', ')} (softmax head); PaddleSeg refuses this, pick one kind`,
    );
  }
  if (cfg.DATASET.NUM_CLASSES > 2) {
    throw new PdsegError(
      'CONFIG_CHECK',
      `SOLVER.LOSS ${JSON.stringify(loss)} builds a one-channel head for two classes, but DATASET.NUM_CLASSES is ${cfg.DATASET.NUM_CLASSES}; use softmax_loss for more classes`,
    );
  }
  return 1;
}

/** Options of {@link buildPredictProgram}. */
export interface BuildOptions {
  /** Repository root for the ops' `op_callstack`; omit to record none. */
  sourceRoot?: string;
}

/** The complete PREDICT inference program of the network `cfg` names. */
export function buildPredictProgram(cfg: ModelConfig, options: BuildOptions = {}): Program {
  const classNum = classCount(cfg);
  const [width, height] = cfg.EVAL_CROP_SIZE;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width! < 1 || height! < 1) {
    throw new PdsegError(
      'CONFIG_CHECK',
      `EVAL_CROP_SIZE ${JSON.stringify(cfg.EVAL_CROP_SIZE)} must be a pair of positive integers (width, height)`,
    );
  }
  const network = lookupModel(cfg.MODEL.MODEL_NAME);
  const locator = options.sourceRoot ? new SourceLocator(options.sourceRoot) : undefined;
  const p = new ProgramBuilder({ locator });
  const image = L.data(p, INPUT_NAME, [-1, cfg.DATASET.DATA_DIM, height!, width!]);
  let logit = network(p, image, cfg, classNum);
  // A network whose logits are smaller than the input (ICNet's logit124 at 1/4) gets
  // build_model's resize to the label size, which is the input size (spec §4.4).
  if (logit.shape[2] !== height || logit.shape[3] !== width) {
    logit = L.resizeBilinear(p, logit, { outShape: [height!, width!] });
  }
  const probs =
    classNum === 1
      ? p.nameScope('sigmoid_to_softmax', () => {
          // `sigmoid_to_softmax`: p → [1 − p, p] on the last axis of NHWC.
          const nhwc = L.transpose(p, logit, [0, 2, 3, 1]);
          const prob = L.act(p, 'sigmoid', nhwc);
          const back = L.scalarMinus(p, 1, prob);
          return L.transpose(p, L.concat(p, [back, prob], -1), [0, 3, 1, 2]);
        })
      : p.nameScope('softmax', () => {
          const nhwc = L.transpose(p, logit, [0, 2, 3, 1]);
          const sm = L.softmax(p, nhwc);
          return L.transpose(p, sm, [0, 3, 1, 2]);
        });
  return p.inferenceProgram([image], [probs]);
}
