/**
 * `pdseg export` as users run it (built binary): the tutorial's command on a checkpoint
 * laid out like the model zoo's (a small network: DEPTH_MULTIPLIER and EVAL_CROP_SIZE are
 * overridden so the test stays fast), and the helpful error, exit 2, when NUM_CLASSES
 * does not match the checkpoint.
 */
import { copyFile, mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { makePspnetFixture } from '../fixtures/pspnet.js';
import { ROOT, runCli, tempDir } from '../helpers.js';

let tmp: { dir: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  tmp = await tempDir('pdseg-export-cli-');
  // A zoo-like per-file checkpoint trained for 19 classes (Cityscapes), small network.
  await makePspnetFixture({
    dir: tmp.dir,
    numClasses: 19,
    layout: 'per-file',
    checkpointDir: 'pretrained_model/pspnet50_bn_cityscapes',
    extraVariables: { learning_rate_0: Float32Array.of(0.01) },
    runExport: false,
  });
  await mkdir(join(tmp.dir, 'configs'), { recursive: true });
  await copyFile(join(ROOT, 'configs', 'pspnet_optic.yaml'), join(tmp.dir, 'configs', 'pspnet_optic.yaml'));
});
afterAll(async () => {
  await tmp.cleanup();
});

const SMALL = ['MODEL.PSPNET.DEPTH_MULTIPLIER', '0.125', 'EVAL_CROP_SIZE', '(64, 64)'];

describe('pdseg export', () => {
  test("the tutorial's command writes freeze_model/model.onnx and deploy.yaml", async () => {
    const r = await runCli(
      [
        'export',
        '--verbose',
        '--cfg',
        'configs/pspnet_optic.yaml',
        'DATASET.NUM_CLASSES',
        '19',
        'TEST.TEST_MODEL',
        './pretrained_model/pspnet50_bn_cityscapes/',
        ...SMALL,
      ],
      { cwd: tmp.dir },
    );
    expect(r.stderr).not.toContain('error');
    expect(r.code).toBe(0);
    const text = r.stdout + r.stderr;
    const order = [
      'Exporting inference model...',
      'load test model: ./pretrained_model/pspnet50_bn_cityscapes/',
      'Inference model exported!',
      'Exporting inference model config...',
      'Inference model saved : [freeze_model/deploy.yaml]',
    ].map((m) => text.indexOf(m));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    // --verbose lists what the network does not use.
    expect(r.stderr).toContain('checkpoint variables the network does not use (ignored): learning_rate_0');
    expect((await stat(join(tmp.dir, 'freeze_model', 'model.onnx'))).size).toBeGreaterThan(40_000_000);
    const deploy = await readFile(join(tmp.dir, 'freeze_model', 'deploy.yaml'), 'utf8');
    expect(deploy).toContain('        NUM_CLASSES : 19\n');
    expect(deploy).toContain('        MODEL_FILENAME : "model.onnx"\n');
  });

  test('a wrong NUM_CLASSES exits 2 and says which NUM_CLASSES the checkpoint has', async () => {
    const r = await runCli(
      [
        'export',
        '--cfg',
        'configs/pspnet_optic.yaml',
        'TEST.TEST_MODEL',
        './pretrained_model/pspnet50_bn_cityscapes/',
        ...SMALL,
      ],
      { cwd: tmp.dir },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('[WEIGHT_SHAPE_MISMATCH]');
    expect(r.stderr).toContain('trained with DATASET.NUM_CLASSES 19');
  });
});
