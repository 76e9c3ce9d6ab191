/**
 * The export pipeline (spec §5; DESIGN.md data flow): config → network (model builder) →
 * weights from `TEST.TEST_MODEL` → `<FREEZE.SAVE_DIR>/model.onnx` + `deploy.yaml`. The ONNX
 * file is written from encoder chunks that reference the weight buffers, through a
 * temporary file and a rename, so the weights are held in memory once and a reader never
 * sees a half-written model. Messages follow PaddleSeg's `export_model.py` (spec §5.4).
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { PdsegError } from '../errors.js';
import { type ProgressSink, silent } from '../events.js';
import { buildPredictGraph, INPUT_NAME, OUTPUT_NAME } from '../models/model-builder.js';
import { encodeModelStream } from '../onnx/encode.js';
import { repositoryRoot } from '../onnx/source-location.js';
import { openCheckpoint } from '../paddle/checkpoint.js';
import { writeFileAtomic } from '../util/atomic.js';
import { deployYaml, MODEL_FILENAME } from './deploy-yaml.js';
import type { ExportConfig } from './export-config.js';
import { loadWeights } from './load-weights.js';
import { modelMetadata } from './metadata.js';

/** Options of {@link exportModel}. */
export interface ExportOptions {
  onEvent?: ProgressSink;
  /** PaddleSeg's behaviour for missing/mismatched parameters: warn `[SKIP]` and keep initial values. */
  skipMismatch?: boolean;
  /** List checkpoint variables the network does not use. */
  verbose?: boolean;
  /** Folder that relative TEST.TEST_MODEL and FREEZE.SAVE_DIR are resolved against (default: process.cwd()). */
  cwd?: string;
}

/** What {@link exportModel} wrote. */
export interface ExportResult {
  /** Absolute path of `model.onnx`. */
  modelPath: string;
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
  /** Number of graph nodes. */
  nodes: number;
}

/** pdseg's version, from package.json. */
export function pdsegVersion(): string {
  const url = new URL('../../package.json', import.meta.url);
  return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
}

/**
 * Exports the network named by `cfg.MODEL.MODEL_NAME` with the weights of
 * `cfg.TEST.TEST_MODEL` (any checkpoint layout, spec §9.7–9.8) to `cfg.FREEZE.SAVE_DIR`.
 */
export async function exportModel(cfg: ExportConfig, options: ExportOptions = {}): Promise<ExportResult> {
  const emit = options.onEvent ?? silent;
  const cwd = options.cwd ?? process.cwd();
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
  const { builder } = buildPredictGraph(cfg, { sourceRoot: repositoryRoot() });
  emit({ type: 'info', task: 'export', message: `load test model: ${testModel}` });
  const checkpoint = await openCheckpoint(checkpointPath, {
    expectedNames: builder.params.map((p) => p.name),
  });
  // The checkpoint stays open until model.onnx is written: every parameter is checked
  // first, and its data is read while the file is written (reading overlaps writing).
  try {
    const weights = await loadWeights(builder.params, builder.initializers, checkpoint, {
      skipMismatch: options.skipMismatch,
      onEvent: emit,
      checkpointPath: testModel,
      lazy: true,
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
    const model = builder.toModel({
      producerVersion: pdsegVersion(),
      metadata: modelMetadata(cfg, { version: pdsegVersion(), input: INPUT_NAME, output: OUTPUT_NAME }),
      docString: `PaddleSeg v0.7 ${cfg.MODEL.MODEL_NAME} exported by pdseg from ${testModel}`,
    });
    const saveDir = resolve(cwd, cfg.FREEZE.SAVE_DIR);
    await mkdir(saveDir, { recursive: true });
    const modelPath = join(saveDir, MODEL_FILENAME);
    await writeFileAtomic(modelPath, encodeModelStream(model));
    emit({
      type: 'done',
      task: 'weights',
      message: `loaded ${weights.loaded} parameters (${weights.bytes} bytes)`,
    });
    emit({ type: 'info', task: 'export', message: 'Inference model exported!' });
    emit({ type: 'info', task: 'export', message: 'Exporting inference model config...' });
    const deployPath = join(saveDir, 'deploy.yaml');
    await writeFileAtomic(deployPath, deployYaml(cfg));
    emit({
      type: 'info',
      task: 'export',
      message: `Inference model saved : [${join(cfg.FREEZE.SAVE_DIR, 'deploy.yaml')}]`,
    });
    return {
      modelPath,
      deployPath,
      loaded: weights.loaded,
      skipped: weights.skipped,
      unused: weights.unused,
      weightBytes: weights.bytes,
      nodes: model.graph.node.length,
    };
  } finally {
    await checkpoint.close();
  }
}
