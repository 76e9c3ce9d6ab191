import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTuple, loadConfig } from '../../src/config/index.js';
import { tempDir } from '../helpers.js';
import { CROPS, expectClose, expectPdsegError, writeYaml } from './helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('pdseg-config-'));
});
afterAll(() => cleanup());

describe('merge order: defaults ← file ← KEY VALUE (spec §1.1)', () => {
  it('file values replace defaults, command-line values replace file values', async () => {
    const f = await writeYaml(
      dir,
      'order.yaml',
      'DATASET:\n  NUM_CLASSES: 5\n  IGNORE_INDEX: 0\nBATCH_SIZE: 8\n',
    );
    const fromFile = await loadConfig({ cfgFile: f, overrides: CROPS });
    expect(fromFile.DATASET.NUM_CLASSES).toBe(5);
    expect(fromFile.DATASET.IGNORE_INDEX).toBe(0);
    expect(fromFile.BATCH_SIZE).toBe(8);
    expect(fromFile.DATASET.IMAGE_TYPE).toBe('rgb'); // untouched default
    const both = await loadConfig({ cfgFile: f, overrides: [...CROPS, 'DATASET.NUM_CLASSES', '7'] });
    expect(both.DATASET.NUM_CLASSES).toBe(7);
    expect(both.DATASET.IGNORE_INDEX).toBe(0);
  });

  it('later command-line pairs win over earlier ones', async () => {
    const cfg = await loadConfig({ overrides: [...CROPS, 'BATCH_SIZE', '2', 'BATCH_SIZE', '3'] });
    expect(cfg.BATCH_SIZE).toBe(3);
  });

  it('resolves the file against cwd but keeps paths in the config as given', async () => {
    await writeYaml(dir, 'rel.yaml', 'DATASET:\n  DATA_DIR: ./data/x/\n');
    const cfg = await loadConfig({ cfgFile: 'rel.yaml', overrides: CROPS, cwd: dir });
    expect(cfg.DATASET.DATA_DIR).toBe('./data/x/');
  });
});

describe('every string value is literal-evaluated (spec §1.1)', () => {
  it('applies Python literal semantics to YAML values', async () => {
    const f = await writeYaml(
      dir,
      'literal.yaml',
      [
        'TRAIN_CROP_SIZE: (512, 512)',
        'EVAL_CROP_SIZE: "(1024, 512)"',
        'AUG:',
        '  AUG_METHOD: u"stepscaling"',
        'MODEL:',
        '  MULTI_LOSS_WEIGHT: "[1.0, 0.4, 0.16]"',
        '  PSPNET:',
        '    LAYERS: "101"',
        'SOLVER:',
        '  WEIGHT_DECAY: 1e-4',
        'TEST:',
        '  TEST_MODEL: \'"10"\'',
        'DATASET:',
        '  SEPARATOR: "|"',
        '  VIS_FILE_LIST: None',
        '',
      ].join('\n'),
    );
    const cfg = await loadConfig({ cfgFile: f });
    expect(cfg.TRAIN_CROP_SIZE).toEqual([512, 512]);
    expect(isTuple(cfg.TRAIN_CROP_SIZE)).toBe(true);
    expect(cfg.EVAL_CROP_SIZE).toEqual([1024, 512]);
    expect(cfg.AUG.AUG_METHOD).toBe('stepscaling');
    expect(cfg.MODEL.MULTI_LOSS_WEIGHT).toEqual([1.0, 0.4, 0.16]);
    expect(cfg.MODEL.PSPNET.LAYERS).toBe(101); // YAML quoting does not protect numbers
    expect(cfg.SOLVER.WEIGHT_DECAY).toBe(0.0001);
    expect(cfg.TEST.TEST_MODEL).toBe('10');
    expect(cfg.DATASET.SEPARATOR).toBe('|');
    expect(cfg.DATASET.VIS_FILE_LIST).toBe(null);
  });

  it('applies them to command-line values too', async () => {
    const cfg = await loadConfig({
      overrides: [
        'TRAIN_CROP_SIZE',
        '769, 769',
        'EVAL_CROP_SIZE',
        '[1025, 1025]',
        'SOLVER.LR',
        '1e-4',
        'AUG.MIRROR',
        'False',
      ],
    });
    expect(cfg.TRAIN_CROP_SIZE).toEqual([769, 769]);
    expect(isTuple(cfg.TRAIN_CROP_SIZE)).toBe(true);
    expect(isTuple(cfg.EVAL_CROP_SIZE)).toBe(false);
    expect(cfg.SOLVER.LR).toBe(0.0001);
    expect(cfg.AUG.MIRROR).toBe(false);
  });

  it('reads YAML 1.1 like PyYAML: yes/no booleans, dotted keys, merge keys', async () => {
    const f = await writeYaml(
      dir,
      'yaml11.yaml',
      'DATASET:\n  NUM_CLASSES: 4\nAUG:\n  FLIP: yes\nDATASET.IGNORE_INDEX: 0\n',
    );
    const cfg = await loadConfig({ cfgFile: f, overrides: CROPS });
    expect(cfg.AUG.FLIP).toBe(true);
    expect(cfg.DATASET.NUM_CLASSES).toBe(4);
    expect(cfg.DATASET.IGNORE_INDEX).toBe(0);
    const merged = await writeYaml(
      dir,
      'merge.yaml',
      'TRAIN: &t\n  SNAPSHOT_EPOCH: 3\nSOLVER:\n  <<: {NUM_EPOCHS: 9}\n  LR: 0.5\nTEST:\n  <<: {TEST_MODEL: m}\n',
    );
    const m = await loadConfig({ cfgFile: merged, overrides: CROPS });
    expect(m.SOLVER.NUM_EPOCHS).toBe(9);
    expect(m.SOLVER.LR).toBe(0.5);
    expect(m.TRAIN.SNAPSHOT_EPOCH).toBe(3);
    expect(m.TEST.TEST_MODEL).toBe('m');
  });

  it('merges a dict literal given for a group key', async () => {
    const cfg = await loadConfig({
      overrides: [...CROPS, 'DATASET', "{'NUM_CLASSES': 3, 'DATA_DIR': '10'}"],
    });
    expect(cfg.DATASET.NUM_CLASSES).toBe(3);
    expect(cfg.DATASET.DATA_DIR).toBe('10'); // a str inside the dict stays a str
    expect(cfg.DATASET.IGNORE_INDEX).toBe(255);
  });
});

describe('check_and_infer (spec §1.1)', () => {
  it('1: derives DATA_DIM from IMAGE_TYPE and rejects other types', async () => {
    const rgba = await loadConfig({
      overrides: [...CROPS, 'DATASET.IMAGE_TYPE', 'rgba', 'DATASET.DATA_DIM', '9'],
    });
    expect(rgba.DATASET.DATA_DIM).toBe(4);
    const gray = await loadConfig({ overrides: [...CROPS, 'DATASET.IMAGE_TYPE', 'gray'] });
    expect(gray.DATASET.DATA_DIM).toBe(3);
    await expectPdsegError(
      loadConfig({ overrides: [...CROPS, 'DATASET.IMAGE_TYPE', 'bgr'] }),
      'CONFIG_CHECK',
      'only `rgb`, `gray` and `rgba`',
    );
  });

  it('2: PADDING_VALUE is MEAN × 255, overwriting a user value', async () => {
    const cfg = await loadConfig({
      overrides: [...CROPS, 'MEAN', '[0.2, 0.4, 0.6]', 'DATASET.PADDING_VALUE', '[1, 2, 3]'],
    });
    expectClose(cfg.DATASET.PADDING_VALUE, [51, 102, 153]);
    const def = await loadConfig({ overrides: CROPS });
    expectClose(def.DATASET.PADDING_VALUE, [127.5, 127.5, 127.5]);
  });

  it('2: with MEAN None the PADDING_VALUE is kept', async () => {
    const cfg = await loadConfig({
      overrides: [...CROPS, 'MEAN', 'None', 'DATASET.PADDING_VALUE', '[1, 2, 3]'],
    });
    expect(cfg.MEAN).toBe(null);
    expect(cfg.DATASET.PADDING_VALUE).toEqual([1, 2, 3]);
  });

  it('3: empty crop sizes are errors', async () => {
    await expectPdsegError(loadConfig({}), 'CONFIG_CHECK', 'TRAIN_CROP_SIZE is empty');
    await expectPdsegError(
      loadConfig({ overrides: ['TRAIN_CROP_SIZE', '(1, 1)'] }),
      'CONFIG_CHECK',
      'EVAL_CROP_SIZE is empty',
    );
  });

  it('5: icnet gets three loss weights unless it has three', async () => {
    const one = await loadConfig({ overrides: [...CROPS, 'MODEL.MODEL_NAME', 'icnet'] });
    expect(one.MODEL.MULTI_LOSS_WEIGHT).toEqual([1.0, 0.4, 0.16]);
    const three = await loadConfig({
      overrides: [...CROPS, 'MODEL.MODEL_NAME', 'icnet', 'MODEL.MULTI_LOSS_WEIGHT', '[1, 2, 3]'],
    });
    expect(three.MODEL.MULTI_LOSS_WEIGHT).toEqual([1, 2, 3]);
    const psp = await loadConfig({ overrides: [...CROPS, 'MODEL.MODEL_NAME', 'pspnet'] });
    expect(psp.MODEL.MULTI_LOSS_WEIGHT).toEqual([1.0]);
  });

  it('6: AUG_METHOD must be one of the three', async () => {
    for (const m of ['unpadding', 'stepscaling', 'rangescaling']) {
      expect((await loadConfig({ overrides: [...CROPS, 'AUG.AUG_METHOD', m] })).AUG.AUG_METHOD).toBe(m);
    }
    await expectPdsegError(
      loadConfig({ overrides: [...CROPS, 'AUG.AUG_METHOD', 'padding'] }),
      'CONFIG_CHECK',
      '`unpadding`, `stepscaling` and `rangescaling`',
    );
  });

  it('4: list files are read only when required, and counted like readlines()', async () => {
    const missing = ['DATASET.TRAIN_FILE_LIST', 'nope/train.txt', 'DATASET.VAL_FILE_LIST', 'nope/val.txt'];
    const free = await loadConfig({ overrides: [...CROPS, ...missing], cwd: dir });
    expect(free.DATASET.TRAIN_TOTAL_IMAGES).toBe(2975); // default, untouched
    await expectPdsegError(
      loadConfig({ overrides: [...CROPS, ...missing], requireLists: ['VAL'], cwd: dir }),
      'CONFIG_FILE',
      'DATASET.VAL_FILE_LIST nope/val.txt',
    );
    await writeFile(join(dir, 'train.txt'), 'a.jpg a.png\nb.jpg b.png\nc.jpg c.png', 'utf8');
    await writeFile(join(dir, 'val.txt'), 'a\r\nb\r\n', 'utf8');
    await writeFile(join(dir, 'test.txt'), '', 'utf8');
    const lists = [
      'DATASET.TRAIN_FILE_LIST',
      'train.txt',
      'DATASET.VAL_FILE_LIST',
      'val.txt',
      'DATASET.TEST_FILE_LIST',
      'test.txt',
    ];
    const counted = await loadConfig({
      overrides: [...CROPS, ...lists],
      requireLists: ['TRAIN', 'VAL', 'TEST'],
      cwd: dir,
    });
    expect(counted.DATASET.TRAIN_TOTAL_IMAGES).toBe(3);
    expect(counted.DATASET.VAL_TOTAL_IMAGES).toBe(2);
    expect(counted.DATASET.TEST_TOTAL_IMAGES).toBe(0);
  });
});
