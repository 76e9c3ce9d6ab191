/**
 * The export pipeline (spec §5; DESIGN.md data flow): config → the PREDICT program
 * (`src/models`, recorded op for op as Paddle 1.8 would) → weights from `TEST.TEST_MODEL`
 * → `<FREEZE.SAVE_DIR>/model.onnx` (the program lowered by the op table) and/or Paddle's
 * own inference model (`__model__` + `__params__`, as `save_inference_model` writes it),
 * and `deploy.yaml`. Every parameter is checked before anything is written; weight bytes
 * are read while the files are written, through temporary files and renames, so they pass
 * through memory once and a reader never sees a half-written model. Messages follow
 * PaddleSeg's `export_model.py` (spec §5.4).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PdsegError } from '../errors.js';
import { type ProgressSink, silent } from '../events.js';
import { buildPredictProgram, INPUT_NAME, OUTPUT_NAME } from '../models/model-builder.js';
import { MODEL_HINTS } from '../models/registry.js';
import { encodeModelStream } from '../onnx/encode.js';
import { repositoryRoot } from '../onnx/source-location.js';
import { TensorDataType, type TensorProto } from '../onnx/types.js';
import { openCheckpoint } from '../paddle/checkpoint.js';
import { writeInferenceModel } from '../program/inference-model.js';
import { lowerToOnnx } from '../program/lower-onnx.js';
import { paramSpecs } from '../program/program.js';
import { ensureOutputDir, writeFileAtomic } from '../util/atomic.js';
import { pdsegVersion } from '../version.js';
import { deployYaml, MODEL_FILENAME } from './deploy-yaml.js';
import type { ExportConfig } from './export-config.js';
import { loadWeights } from './load-weights.js';
import { modelMetadata } from './metadata.js';

/** What `pdseg export --format` writes. */
export type ExportFormat = 'onnx' | 'paddle' | 'both';

/** Options of {@link exportModel}. */
export interface ExportOptions {
  onEvent?: ProgressSink;
  /** PaddleSeg's behaviour for missing/mismatched parameters: warn `[SKIP]` and keep initial values. */
  skipMismatch?: boolean;
  /** List checkpoint variables the network does not use. */
  verbose?: boolean;
  /** Folder that relative TEST.TEST_MODEL and FREEZE.SAVE_DIR are resolved against (default: process.cwd()). */
  cwd?: string;
  /** `onnx` (default), `paddle` (`__model__` + `__params__`) or `both`. */
  format?: ExportFormat;
}

/** What {@link exportModel} wrote. */
export interface ExportResult {
  /** Absolute path of `model.onnx` (absent with `format: 'paddle'`). */
  modelPath?: string;
  /** Absolute paths of `__model__` and `__params__` (with `format` paddle or both). */
  paddle?: { modelPath: string; paramsPath: string };
  /** Absolute path of `deploy.yaml`. */
  deployPath: string;
  /** Parameters loaded from the checkpoint. */
  loaded: number;
  /** Parameters kept at their initial value (`skipMismatch`). */
  skipped: string[];
  /** Checkpoint variables the network does not use. */
  unused: string[];
  /** Bytes of weights written into the model. */
  weightBytes: number;
  /** Number of ONNX graph nodes (0 without ONNX output). */
  nodes: number;
  /** Number of Paddle ops in the program, feed and fetch included. */
  ops: number;
}

export { pdsegVersion } from '../version.js';

/** The bytes of a filled tensor proto (read now, for lazily filled ones). */
async function tensorBytes(t: TensorProto): Promise<Uint8Array> {
  if (t.rawData) return t.rawData;
  if (t.rawDataSource) return t.rawDataSource.load();
  throw new RangeError(`parameter "${t.name}" has no data`);
}

/**
 * Exports the network named by `cfg.MODEL.MODEL_NAME` with the weights of
 * `cfg.TEST.TEST_MODEL` (any checkpoint layout, spec §9.7–9.8) to `cfg.FREEZE.SAVE_DIR`.
 */
export async function exportModel(cfg: ExportConfig, options: ExportOptions = {}): Promise<ExportResult> {
  const emit = options.onEvent ?? silent;
  const cwd = options.cwd ?? process.cwd();
  const format = options.format ?? 'onnx';
  emit({ type: 'info', task: 'export', message: 'Exporting inference model...' });
  const testModel = cfg.TEST.TEST_MODEL;
  const checkpointPath = resolve(cwd, testModel);
  if (!testModel || !existsSync(checkpointPath)) {
    throw new PdsegError(
      'WEIGHT_MISSING',
      `TEST.TEST_MODEL directory "${testModel}" is empty or does not exist (resolved to "${checkpointPath}"); ` +
        'pass TEST.TEST_MODEL <checkpoint dir>, e.g. the folder `pdseg download` wrote under pretrained_model/',
    );
  }
  const program = buildPredictProgram(cfg, { sourceRoot: repositoryRoot() });
  const lowered = format === 'paddle' ? undefined : lowerToOnnx(program, { name: cfg.MODEL.MODEL_NAME });
  const params = paramSpecs(program);
  const targets: TensorProto[] = params.map(
    (p) =>
      lowered?.parameters.get(p.name) ?? { name: p.name, dims: [...p.dims], dataType: TensorDataType.FLOAT },
  );
  emit({ type: 'info', task: 'export', message: `load test model: ${testModel}` });
  const checkpoint = await openCheckpoint(checkpointPath, { expectedNames: params.map((p) => p.name) });
  // The checkpoint stays open until the files are written: every parameter is checked
  // first, and its data is read while the file is written (reading overlaps writing).
  try {
    const weights = await loadWeights(params, targets, checkpoint, {
      skipMismatch: options.skipMismatch,
      onEvent: emit,
      checkpointPath: testModel,
      lazy: true,
      network: MODEL_HINTS.get(cfg.MODEL.MODEL_NAME),
    });
    if (weights.skipped.length > 0) {
      emit({
        type: 'warn',
        task: 'weights',
        message:
          `[SKIP] ${weights.skipped.length} parameter(s) kept their initial values because of --skip-mismatch: ` +
          `${weights.skipped.join(', ')}. The exported model is NOT fully the trained network.`,
      });
    }
    if (options.verbose && weights.unused.length > 0) {
      emit({
        type: 'info',
        task: 'weights',
        message: `checkpoint variables the network does not use (ignored): ${weights.unused.join(', ')}`,
      });
    }
    const saveDir = resolve(cwd, cfg.FREEZE.SAVE_DIR);
    await ensureOutputDir(saveDir, 'FREEZE.SAVE_DIR');
    let modelPath: string | undefined;
    let nodes = 0;
    if (lowered) {
      const model = lowered.builder.toModel({
        producerVersion: pdsegVersion(),
        metadata: modelMetadata(cfg, { version: pdsegVersion(), input: INPUT_NAME, output: OUTPUT_NAME }),
        docString: `PaddleSeg v0.7 ${cfg.MODEL.MODEL_NAME} exported by pdseg from ${testModel}`,
      });
      nodes = model.graph.node.length;
      modelPath = join(saveDir, MODEL_FILENAME);
      await writeFileAtomic(modelPath, encodeModelStream(model));
    }
    let paddle: ExportResult['paddle'];
    if (format !== 'onnx') {
      const byName = new Map(targets.map((t) => [t.name, t]));
      const written = await writeInferenceModel(saveDir, program, (name) => tensorBytes(byName.get(name)!), {
        modelFilename: cfg.FREEZE.MODEL_FILENAME,
        paramsFilename: cfg.FREEZE.PARAMS_FILENAME,
      });
      paddle = { modelPath: written.modelPath, paramsPath: written.paramsPath };
    }
    emit({
      type: 'done',
      task: 'weights',
      message: `loaded ${weights.loaded} parameters (${weights.bytes} bytes)`,
    });
    emit({ type: 'info', task: 'export', message: 'Inference model exported!' });
    emit({ type: 'info', task: 'export', message: 'Exporting inference model config...' });
    const deployPath = join(saveDir, 'deploy.yaml');
    const files =
      format === 'onnx'
        ? { model: MODEL_FILENAME, params: '' }
        : {
            model: cfg.FREEZE.MODEL_FILENAME ?? '__model__',
            params: cfg.FREEZE.PARAMS_FILENAME ?? '__params__',
          };
    await writeFileAtomic(deployPath, deployYaml(cfg, files));
    emit({
      type: 'info',
      task: 'export',
      message: `Inference model saved : [${join(cfg.FREEZE.SAVE_DIR, 'deploy.yaml')}]`,
    });
    return {
      ...(modelPath ? { modelPath } : {}),
      ...(paddle ? { paddle } : {}),
      deployPath,
      loaded: weights.loaded,
      skipped: weights.skipped,
      unused: weights.unused,
      weightBytes: weights.bytes,
      nodes,
      ops: program.ops.length,
    };
  } finally {
    await checkpoint.close();
  }
}
