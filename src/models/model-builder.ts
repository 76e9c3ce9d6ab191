/**
 * PaddleSeg's `model_builder.build_model` in the PREDICT phase (spec §4.4, §5.1): input
 * `image` float32 `[N, DATA_DIM, H, W]` (H×W = EVAL_CROP_SIZE height × width), the
 * registered network's logits, then transpose → softmax (last axis) → transpose, and the
 * `scale` 1.0 that `save_inference_model` adds, writing `save_infer_model/scale_0.tmp_0`.
 */
import { PdsegError } from '../errors.js';
import { GraphBuilder, type Value } from '../onnx/builder.js';
import { SourceLocator } from '../onnx/source-location.js';
import type { ModelConfig } from './model-config.js';
import { lookupModel } from './registry.js';

/** Name of the graph input (spec §5.1). */
export const INPUT_NAME = 'image';
/** Name Paddle 1.8 gives the fetch target (spec §5.3). */
export const OUTPUT_NAME = 'save_infer_model/scale_0.tmp_0';

/** Losses that make PaddleSeg build a one-channel (sigmoid) head (spec §4.4). */
const ONE_CHANNEL_LOSSES = ['dice_loss', 'bce_loss', 'lovasz_hinge_loss'];

/** Options of {@link buildPredictGraph}. */
export interface BuildOptions {
  /** Repository root for node source locations; omit to leave `doc_string` empty. */
  sourceRoot?: string;
}

/** Files whose frames are not the "model code" a node's location should name. */
function isHelperFile(file: string): boolean {
  return file.startsWith('src/onnx/') || file.startsWith('src/models/libs/');
}

/** The graph builder holding the complete PREDICT network, and its output. */
export function buildPredictGraph(
  cfg: ModelConfig,
  options: BuildOptions = {},
): { builder: GraphBuilder; output: Value } {
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
  const locator = options.sourceRoot ? new SourceLocator(options.sourceRoot, isHelperFile) : undefined;
  const b = new GraphBuilder({ name: cfg.MODEL.MODEL_NAME, locator });
  const image = b.input(INPUT_NAME, ['N', cfg.DATASET.DATA_DIM, height!, width!]);
  const logit = network(b, image, cfg, cfg.DATASET.NUM_CLASSES);
  const probs = b.scope('softmax', () => {
    const nhwc = b.transpose(logit, [0, 2, 3, 1]);
    const sm = b.softmax(nhwc, -1);
    return b.transpose(sm, [0, 3, 1, 2]);
  });
  const output = b.scope('save_infer_model', () => b.identity(probs, OUTPUT_NAME, 'scale_0'));
  b.output(output);
  return { builder: b, output };
}
