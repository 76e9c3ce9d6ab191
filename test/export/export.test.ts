/**
 * The export pipeline around the network: deploy.yaml byte for byte (spec §5.4),
 * metadata_props, console messages, the weight checks (WEIGHT_MISSING,
 * WEIGHT_SHAPE_MISMATCH with the NUM_CLASSES hint), --skip-mismatch, unused variables, and
 * Debian's python3-onnx checker on the exported file.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { isPdsegError } from '../../src/errors.js';
import type { PdsegEvent } from '../../src/events.js';
import { deployYaml } from '../../src/export/deploy-yaml.js';
import { exportModel } from '../../src/export/export-model.js';
import { pyFloat } from '../../src/export/python-repr.js';
import { decodeModel } from '../../src/onnx/decode.js';
import { makePspnetFixture } from '../fixtures/pspnet.js';
import { ROOT, tempDir } from '../helpers.js';

let tmp: { dir: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  tmp = await tempDir('pdseg-export-');
});
afterAll(async () => {
  await tmp.cleanup();
});

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

describe('deploy.yaml (spec §5.4)', () => {
  test('pspnet_optic.yaml gives the spec bytes, with model.onnx and no params file', async () => {
    const cfg = await loadConfig({ cfgFile: 'configs/pspnet_optic.yaml', cwd: ROOT });
    expect(deployYaml(cfg)).toBe(
      'DEPLOY:\n        USE_GPU : 1\n        USE_PR : 0\n        MODEL_PATH : "freeze_model"\n' +
        '        MODEL_FILENAME : "model.onnx"\n        PARAMS_FILENAME : ""\n' +
        '        EVAL_CROP_SIZE : (512, 512)\n        MEAN : [0.5, 0.5, 0.5]\n        STD : [0.5, 0.5, 0.5]\n' +
        '        IMAGE_TYPE : "rgb"\n        NUM_CLASSES : 2\n        CHANNELS : 3\n' +
        '        PRE_PROCESSOR : "SegPreProcessor"\n        PREDICTOR_MODE : "ANALYSIS"\n        BATCH_SIZE : 1\n    ',
    );
  });

  test('floats are printed as Python prints them', () => {
    expect([0.5, 1, 1e-5, 0.40787450980392154, 1e16, 123.25, 0.0001].map(pyFloat)).toEqual([
      '0.5',
      '1.0',
      '1e-05',
      '0.40787450980392154',
      '1e+16',
      '123.25',
      '0.0001',
    ]);
  });
});

describe('exportModel', () => {
  test('writes model.onnx with metadata and deploy.yaml, with PaddleSeg messages', async () => {
    const events: PdsegEvent[] = [];
    const fx = await makePspnetFixture({
      dir: join(tmp.dir, 'ok'),
      onEvent: (e) => events.push(e),
      extraYaml: 'MEAN: [0.40787450980392154, 0.4575254901960784, 0.481078431372549]\n',
    });
    const infos = events.filter((e) => e.type === 'info').map((e) => (e as { message: string }).message);
    expect(infos).toEqual([
      'Exporting inference model...',
      'load test model: ./checkpoint',
      'Inference model exported!',
      'Exporting inference model config...',
      'Inference model saved : [freeze_model/deploy.yaml]',
    ]);
    expect(events.some((e) => e.type === 'progress' && e.task === 'weights')).toBe(true);
    const model = decodeModel(new Uint8Array(readFileSync(fx.modelPath)));
    const meta = Object.fromEntries(model.metadataProps.map((e) => [e.key, e.value]));
    expect(meta.MODEL_NAME).toBe('"pspnet"');
    expect(JSON.parse(meta.NUM_CLASSES!)).toBe(2);
    expect(JSON.parse(meta.EVAL_CROP_SIZE!)).toEqual([64, 64]);
    expect(JSON.parse(meta.MEAN!)).toEqual([0.40787450980392154, 0.4575254901960784, 0.481078431372549]);
    expect(JSON.parse(meta.TO_RGB!)).toBe(false);
    expect(JSON.parse(meta['AUG.AUG_METHOD']!)).toBe('unpadding');
    expect(JSON.parse(meta.CONFIG!).MODEL.PSPNET.DEPTH_MULTIPLIER).toBe(0.125);
    expect(model.graph.input.map((v) => v.name)).toEqual(['image']);
    expect(model.graph.output.map((v) => v.name)).toEqual(['save_infer_model/scale_0.tmp_0']);
    // Initializers carry the checkpoint's bytes under their Paddle names.
    const w = model.graph.initializer.find((t) => t.name === 'psp3/BatchNorm/moving_variance')!;
    expect(Array.from(new Float32Array(w.rawData!.slice().buffer))).toEqual(
      Array.from(fx.weights.get('psp3/BatchNorm/moving_variance')!),
    );
    const deploy = readFileSync(fx.deployPath, 'utf8');
    expect(deploy).toContain('        MEAN : [0.40787450980392154, 0.4575254901960784, 0.481078431372549]\n');
    expect(deploy).toContain('        EVAL_CROP_SIZE : (64, 64)\n');
    // Debian's python3-onnx checker accepts the file.
    execFileSync('/usr/bin/python3', [
      '-c',
      'import onnx,sys; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)',
      fx.modelPath,
    ]);
  });

  test('a logit layer trained for other classes names NUM_CLASSES (WEIGHT_SHAPE_MISMATCH)', async () => {
    const fx = await makePspnetFixture({
      dir: join(tmp.dir, 'k19'),
      numClasses: 2,
      checkpointClasses: 19,
      runExport: false,
    });
    const e = await rejection(exportModel(fx.cfg, { cwd: fx.dir }));
    expect(isPdsegError(e, 'WEIGHT_SHAPE_MISMATCH')).toBe(true);
    expect(e.message).toContain('"logit/');
    expect(e.message).toContain('[19, 512, 1, 1]');
    expect(e.message).toContain('trained with DATASET.NUM_CLASSES 19');
  });

  test('--skip-mismatch keeps initial values, warns [SKIP] and still exports a runnable model', async () => {
    const fx = await makePspnetFixture({
      dir: join(tmp.dir, 'skip'),
      numClasses: 2,
      checkpointClasses: 19,
      runExport: false,
    });
    const events: PdsegEvent[] = [];
    const r = await exportModel(fx.cfg, { cwd: fx.dir, skipMismatch: true, onEvent: (e) => events.push(e) });
    expect(r.skipped).toEqual(['logit/weights', 'logit/biases']);
    const warns = events.filter((e) => e.type === 'warn').map((e) => (e as { message: string }).message);
    expect(warns.some((m) => m.startsWith('[SKIP] logit/weights'))).toBe(true);
    expect(warns.some((m) => m.includes('NOT fully the trained network'))).toBe(true);
    const session = await ort.InferenceSession.create(r.modelPath);
    const out = await session.run({
      image: new ort.Tensor('float32', new Float32Array(3 * 64 * 64).fill(0.1), [1, 3, 64, 64]),
    });
    expect(out['save_infer_model/scale_0.tmp_0']!.dims).toEqual([1, 2, 64, 64]);
    const model = decodeModel(new Uint8Array(readFileSync(r.modelPath)));
    const bias = model.graph.initializer.find((t) => t.name === 'logit/biases')!;
    expect(Array.from(new Float32Array(bias.rawData!.slice().buffer))).toEqual([0, 0]);
  });

  test('a missing parameter is WEIGHT_MISSING naming it; unused variables are listed when verbose', async () => {
    const fx = await makePspnetFixture({
      dir: join(tmp.dir, 'missing'),
      runExport: false,
      extraVariables: { learning_rate_0: Float32Array.of(0.01), '@LR_DECAY_COUNTER@': Float32Array.of(3) },
    });
    const events: PdsegEvent[] = [];
    const r = await exportModel(fx.cfg, { cwd: fx.dir, verbose: true, onEvent: (e) => events.push(e) });
    expect(r.unused).toEqual(['@LR_DECAY_COUNTER@', 'learning_rate_0']);
    expect(events.some((e) => e.type === 'info' && e.message.includes('learning_rate_0'))).toBe(true);
    await rm(join(fx.checkpointDir, 'res3b_branch2c_weights'));
    const e = await rejection(exportModel(fx.cfg, { cwd: fx.dir }));
    expect(isPdsegError(e, 'WEIGHT_MISSING')).toBe(true);
    // res3 width 128 × 0.125 = 16; branch2c maps 16 → 4 × 16 channels.
    expect(e.message).toContain('"res3b_branch2c_weights" (shape [64, 16, 1, 1])');
  });

  test('a TEST.TEST_MODEL that does not exist is WEIGHT_MISSING naming the key', async () => {
    const fx = await makePspnetFixture({ dir: join(tmp.dir, 'nodir'), runExport: false });
    await rm(fx.checkpointDir, { recursive: true });
    const e = await rejection(exportModel(fx.cfg, { cwd: fx.dir }));
    expect(isPdsegError(e, 'WEIGHT_MISSING')).toBe(true);
    expect(e.message).toContain('TEST.TEST_MODEL directory "./checkpoint"');
  });

  test('a parameter file that turns out truncated while writing leaves the previous model.onnx intact', async () => {
    const fx = await makePspnetFixture({ dir: join(tmp.dir, 'truncated') });
    const before = readFileSync(fx.modelPath);
    // Weights are read while model.onnx is streamed out: cut a late parameter's data short.
    const file = join(fx.checkpointDir, 'logit', 'weights');
    writeFileSync(file, readFileSync(file).subarray(0, 100));
    const e = await rejection(exportModel(fx.cfg, { cwd: fx.dir }));
    expect(isPdsegError(e, 'WEIGHT_FORMAT')).toBe(true);
    expect(e.message).toContain('logit/weights');
    expect(readFileSync(fx.modelPath).equals(before)).toBe(true);
    expect(readdirSync(fx.saveDir).sort()).toEqual(['deploy.yaml', 'model.onnx']);
  });
});
