/**
 * Loads an exported `model.onnx` for predict/eval: reads the file (or `<folder>/model.onnx`),
 * decodes it, takes its settings from the metadata, folds PSPNet's upsampled pyramid branches
 * through `psp_end` (see `fold-upsampled-concat.ts`; skipped with `fold: false`), replaces
 * the softmax tail with an ArgMax (spec §4.4, see `argmax-graph.ts`), all in memory, and
 * opens an onnxruntime session on the re-encoded bytes.
 */
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { messageOf, PdsegError } from '../errors.js';
import { decodeModel } from '../onnx/decode.js';
import { encodeModel } from '../onnx/encode.js';
import type { ModelProto } from '../onnx/types.js';
import { toArgmaxModel } from './argmax-graph.js';
import { foldUpsampledConcat } from './fold-upsampled-concat.js';
import { SegSession, type SessionOptions } from './session.js';
import { type PredictSettings, settingsFromMetadata } from './settings.js';

/** File name of the exported model inside FREEZE.SAVE_DIR. */
export const MODEL_FILE = 'model.onnx';

/** Resolves `--model` (a folder holding model.onnx, or the file itself). */
export async function resolveModelPath(model: string, cwd = process.cwd()): Promise<string> {
  const p = resolve(cwd, model);
  try {
    return (await stat(p)).isDirectory() ? join(p, MODEL_FILE) : p;
  } catch (e) {
    throw new PdsegError(
      'MODEL_FORMAT',
      `model "${model}" does not exist; run pdseg export first, or pass --model <folder|model.onnx>`,
      { cause: e },
    );
  }
}

/** A loaded label model: the session (ArgMax output) and the model's own settings. */
export interface LabelModel {
  session: SegSession;
  /** Settings from the model metadata. */
  settings: PredictSettings;
  /** Absolute path of the file. */
  path: string;
  /** Input shape `[N, C, H, W]` (N symbolic → -1). */
  inputShape: number[];
  /** Convolutions whose upsampled inputs were folded (empty with `fold: false`). */
  folded: string[];
}

/** Options of {@link loadLabelModel}. */
export interface LoadLabelModelOptions {
  /** onnxruntime intra-op threads (default: number of cores). */
  threads?: number;
  /** Fold upsampled concat parts through the convolution that reads them (default true). */
  fold?: boolean;
  /** onnxruntime profile file prefix (see {@link SessionOptions.profilePrefix}). */
  profilePrefix?: string;
}

/** Reads and decodes an ONNX file. */
export async function readModel(path: string): Promise<ModelProto> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new PdsegError(
      'MODEL_FORMAT',
      `cannot read model "${path}": ${messageOf(e)}; run pdseg export first`,
      {
        cause: e,
      },
    );
  }
  return decodeModel(bytes);
}

/** Loads `path` as a label model (see the file comment for the in-memory edits). */
export async function loadLabelModel(path: string, options: LoadLabelModelOptions = {}): Promise<LabelModel> {
  const { bytes, settings, inputShape, folded } = await editedModel(path, options.fold !== false);
  // The decoded model is unreachable from here on; only the edited bytes travel on, moved
  // (not copied) to the session's worker.
  const session = await SegSession.create(bytes, {
    threads: options.threads,
    source: path,
    transfer: true,
    profilePrefix: options.profilePrefix,
  });
  return { session, settings, path, inputShape, folded };
}

/** Reads, checks and edits the model; returns the bytes onnxruntime loads. */
async function editedModel(path: string, fold: boolean) {
  const model = await readModel(path);
  const settings = settingsFromMetadata(model.metadataProps, path);
  const dims = model.graph.input[0]?.type?.tensorType?.shape?.dim ?? [];
  const modelChannels = dims[1]?.dimValue;
  if (modelChannels !== undefined && modelChannels !== settings.channels) {
    throw new PdsegError(
      'MODEL_FORMAT',
      `model "${path}" takes ${modelChannels}-channel input but its metadata says DATA_DIM ${settings.channels}; re-export it with pdseg export`,
    );
  }
  const folding = fold ? foldUpsampledConcat(model) : { model, folded: [] };
  const edit = toArgmaxModel(folding.model, settings.numClasses);
  return {
    bytes: encodeModel(edit.model),
    settings,
    inputShape: dims.map((d) => d.dimValue ?? -1),
    folded: folding.folded,
  };
}

/** Checks that settings taken from a config agree with the model's fixed input size and class count. */
export function checkAgainstModel(s: PredictSettings, m: LabelModel): void {
  const [, , h, w] = m.inputShape;
  if (
    (h !== undefined && h > 0 && h !== s.cropSize[1]) ||
    (w !== undefined && w > 0 && w !== s.cropSize[0])
  ) {
    throw new PdsegError(
      'CONFIG_CHECK',
      `EVAL_CROP_SIZE (${s.cropSize[0]}, ${s.cropSize[1]}) does not match the model "${m.path}" input ${w}x${h} (width x height); the exported PSPNet has a fixed size — use the crop size it was exported with`,
    );
  }
  const c = m.inputShape[1];
  if (c !== undefined && c > 0 && c !== s.channels) {
    throw new PdsegError(
      'CONFIG_CHECK',
      `DATASET.IMAGE_TYPE gives ${s.channels}-channel images but the model "${m.path}" takes ${c} channels; use the IMAGE_TYPE it was exported with (rgba for 4, rgb or gray for 3)`,
    );
  }
  if (s.numClasses !== m.settings.numClasses) {
    throw new PdsegError(
      'CONFIG_CHECK',
      `DATASET.NUM_CLASSES ${s.numClasses} does not match the model "${m.path}" (${m.settings.numClasses} classes)`,
    );
  }
}
