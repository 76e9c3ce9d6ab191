import { readdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configToJson, configToYaml, isTuple, loadConfig } from '../../src/config/index.js';
import { ROOT, tempDir } from '../helpers.js';

const CONFIGS = readdirSync(join(ROOT, 'configs')).filter((f) => f.endsWith('.yaml'));

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('pdseg-configs-'));
});
afterAll(() => cleanup());

/** The v0.7 configs of spec §2.2 with their model name, crop sizes and AUG_METHOD. */
const TABLE: Record<string, [model: string, train: number[], evalCrop: number[], aug: string]> = {
  'cityscape_fast_scnn.yaml': ['fast_scnn', [1024, 1024], [2048, 1024], 'stepscaling'],
  'deepglobe_road_extraction.yaml': ['deeplabv3p', [769, 769], [1025, 1025], 'stepscaling'],
  'deeplabv3p_mobilenet-1-0_pet.yaml': ['deeplabv3p', [512, 512], [512, 512], 'unpadding'],
  'deeplabv3p_mobilenetv2_cityscapes.yaml': ['deeplabv3p', [769, 769], [2049, 1025], 'stepscaling'],
  'deeplabv3p_mobilenetv3_large_cityscapes.yaml': ['deeplabv3p', [769, 769], [2049, 1025], 'stepscaling'],
  'deeplabv3p_resnet50_vd_cityscapes.yaml': ['deeplabv3p', [769, 769], [2049, 1025], 'stepscaling'],
  'deeplabv3p_xception65_cityscapes.yaml': ['deeplabv3p', [769, 769], [2049, 1025], 'stepscaling'],
  'deeplabv3p_xception65_optic.yaml': ['deeplabv3p', [512, 512], [512, 512], 'unpadding'],
  'fast_scnn_pet.yaml': ['fast_scnn', [512, 512], [512, 512], 'unpadding'],
  'hrnet_optic.yaml': ['hrnet', [512, 512], [512, 512], 'unpadding'],
  'icnet_optic.yaml': ['icnet', [512, 512], [512, 512], 'unpadding'],
  'lovasz_hinge_deeplabv3p_mobilenet_road.yaml': ['deeplabv3p', [769, 769], [1025, 1025], 'stepscaling'],
  'lovasz_softmax_deeplabv3p_mobilenet_pascal.yaml': ['deeplabv3p', [500, 500], [500, 500], 'stepscaling'],
  'ocrnet_w18_bn_cityscapes.yaml': ['ocrnet', [1024, 512], [2048, 1024], 'stepscaling'],
  'pspnet_optic.yaml': ['pspnet', [512, 512], [512, 512], 'unpadding'],
  'unet_optic.yaml': ['unet', [512, 512], [512, 512], 'unpadding'],
};

describe('configs/ (spec §2)', () => {
  it('holds exactly the sixteen v0.7 configs of spec §2.2', () => {
    expect([...CONFIGS].sort()).toEqual(Object.keys(TABLE).sort());
  });

  for (const name of CONFIGS) {
    it(`${name} loads, checks and matches spec §2.2`, async () => {
      const cfg = await loadConfig({ cfgFile: join('configs', name), cwd: ROOT });
      const [model, train, evalCrop, aug] = TABLE[name] as [string, number[], number[], string];
      expect(cfg.MODEL.MODEL_NAME).toBe(model);
      expect(cfg.TRAIN_CROP_SIZE).toEqual(train);
      expect(cfg.EVAL_CROP_SIZE).toEqual(evalCrop);
      expect(cfg.AUG.AUG_METHOD).toBe(aug);
    });

    it(`${name} prints as YAML that loads back to the same config`, async () => {
      const cfg = await loadConfig({ cfgFile: join('configs', name), cwd: ROOT });
      const copy = join(dir, name);
      await writeFile(copy, configToYaml(cfg), 'utf8');
      const again = await loadConfig({ cfgFile: copy });
      expect(configToJson(again)).toBe(configToJson(cfg));
      expect(isTuple(again.EVAL_CROP_SIZE)).toBe(isTuple(cfg.EVAL_CROP_SIZE));
    });
  }

  it('pspnet_optic.yaml sets every key of spec §2.1', async () => {
    const cfg = await loadConfig({ cfgFile: 'configs/pspnet_optic.yaml', cwd: ROOT });
    expect(cfg.DATASET).toMatchObject({
      DATA_DIR: './dataset/optic_disc_seg/',
      NUM_CLASSES: 2,
      TEST_FILE_LIST: './dataset/optic_disc_seg/test_list.txt',
      TRAIN_FILE_LIST: './dataset/optic_disc_seg/train_list.txt',
      VAL_FILE_LIST: './dataset/optic_disc_seg/val_list.txt',
      VIS_FILE_LIST: './dataset/optic_disc_seg/test_list.txt',
      DATA_DIM: 3,
      PADDING_VALUE: [127.5, 127.5, 127.5],
    });
    expect(cfg.MODEL).toMatchObject({
      MODEL_NAME: 'pspnet',
      DEFAULT_NORM_TYPE: 'bn',
      PSPNET: { DEPTH_MULTIPLIER: 1, LAYERS: 50 },
    });
    expect(cfg.TRAIN_CROP_SIZE).toEqual([512, 512]);
    expect(cfg.EVAL_CROP_SIZE).toEqual([512, 512]);
    expect(cfg.AUG).toMatchObject({ AUG_METHOD: 'unpadding', FIX_RESIZE_SIZE: [512, 512] });
    expect(cfg.BATCH_SIZE).toBe(4);
    expect(cfg.TRAIN).toMatchObject({
      PRETRAINED_MODEL_DIR: './pretrained_model/pspnet50_bn_cityscapes/',
      MODEL_SAVE_DIR: './saved_model/pspnet_optic/',
      SNAPSHOT_EPOCH: 5,
    });
    expect(cfg.TEST.TEST_MODEL).toBe('./saved_model/pspnet_optic/final');
    expect(cfg.SOLVER).toMatchObject({ NUM_EPOCHS: 10, LR: 0.001, LR_POLICY: 'poly', OPTIMIZER: 'adam' });
    expect(cfg.FREEZE).toEqual({
      MODEL_FILENAME: '__model__',
      PARAMS_FILENAME: '__params__',
      SAVE_DIR: 'freeze_model',
    });
  });

  it('icnet_optic.yaml reads its quoted MULTI_LOSS_WEIGHT as a list', async () => {
    const cfg = await loadConfig({ cfgFile: 'configs/icnet_optic.yaml', cwd: ROOT });
    expect(cfg.MODEL.MULTI_LOSS_WEIGHT).toEqual([1.0, 0.4, 0.16]);
    expect(cfg.MODEL.ICNET.DEPTH_MULTIPLIER).toBe(0.5);
  });

  it('road configs keep the | separator and resnet50_vd sets TO_RGB', async () => {
    const road = await loadConfig({ cfgFile: 'configs/deepglobe_road_extraction.yaml', cwd: ROOT });
    expect(road.DATASET.SEPARATOR).toBe('|');
    const vd = await loadConfig({ cfgFile: 'configs/deeplabv3p_resnet50_vd_cityscapes.yaml', cwd: ROOT });
    expect(vd.AUG.TO_RGB).toBe(true);
  });
});

describe('YAML output keeps strings that look like literals as strings', () => {
  it('round-trips the string "10", a space separator and None', async () => {
    const cfg = await loadConfig({
      overrides: [
        'TRAIN_CROP_SIZE',
        '(1, 2)',
        'EVAL_CROP_SIZE',
        '[3, 4]',
        'TEST.TEST_MODEL',
        '"10"',
        'FREEZE.SAVE_DIR',
        "'True'",
      ],
    });
    const copy = join(dir, 'strings.yaml');
    await writeFile(copy, configToYaml(cfg), 'utf8');
    const again = await loadConfig({ cfgFile: copy });
    expect(again.TEST.TEST_MODEL).toBe('10');
    expect(again.FREEZE.SAVE_DIR).toBe('True');
    expect(again.DATASET.SEPARATOR).toBe(' ');
    expect(again.DATASET.VIS_FILE_LIST).toBe(null);
    expect(isTuple(again.TRAIN_CROP_SIZE)).toBe(true);
    expect(isTuple(again.EVAL_CROP_SIZE)).toBe(false);
  });
});
