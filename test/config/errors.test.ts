import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { tempDir } from '../helpers.js';
import { CROPS, expectPdsegError, writeYaml } from './helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('pdseg-config-errors-'));
});
afterAll(() => cleanup());

describe('unknown keys (deliberate difference: named, with suggestions and file:line)', () => {
  it('suggests the nearest key for a misspelt command-line key', async () => {
    await expectPdsegError(
      loadConfig({ overrides: [...CROPS, 'DATASET.NUM_CLASS', '3'] }),
      'CONFIG_UNKNOWN_KEY',
      'Non-existent config key: DATASET.NUM_CLASS — did you mean DATASET.NUM_CLASSES?',
    );
  });

  it('finds a key given without its group', async () => {
    await expectPdsegError(
      loadConfig({ overrides: [...CROPS, 'NUM_CLASSES', '3'] }),
      'CONFIG_UNKNOWN_KEY',
      'did you mean DATASET.NUM_CLASSES',
    );
  });

  it('names the YAML file and line of an unknown key', async () => {
    const f = await writeYaml(dir, 'typo.yaml', '# comment\nDATASET:\n  DATA_DIR: x\n  NUM_CLASS: 3\n');
    const e = await expectPdsegError(loadConfig({ cfgFile: f }), 'CONFIG_UNKNOWN_KEY', 'DATASET.NUM_CLASS');
    expect(e.message).toContain(`${f}:4`);
    expect(e.message).toContain('did you mean DATASET.NUM_CLASSES');
  });

  it('rejects an unknown group, even an empty one (PaddleSeg ignores `FOO: {}`)', async () => {
    const f = await writeYaml(dir, 'empty-group.yaml', 'TRAIN_CROP_SIZE: (1, 1)\nFOO: {}\n');
    await expectPdsegError(loadConfig({ cfgFile: f }), 'CONFIG_UNKNOWN_KEY', `FOO`);
  });

  it('rejects a key that goes through a value', async () => {
    await expectPdsegError(
      loadConfig({ overrides: [...CROPS, 'DATASET.NUM_CLASSES.X', '1'] }),
      'CONFIG_UNKNOWN_KEY',
      'DATASET.NUM_CLASSES is a single value',
    );
  });
});

describe('type checks (deliberate difference: PaddleSeg checks no types)', () => {
  it('rejects text for an int', async () => {
    await expectPdsegError(
      loadConfig({ overrides: [...CROPS, 'DATASET.NUM_CLASSES', 'abc'] }),
      'CONFIG_TYPE',
      'DATASET.NUM_CLASSES: expected an int, got the string "abc"',
    );
  });

  it('rejects a list for an int and a float for an int', async () => {
    await expectPdsegError(
      loadConfig({ overrides: [...CROPS, 'DATASET.NUM_CLASSES', '[1, 2]'] }),
      'CONFIG_TYPE',
      'got the list [1, 2]',
    );
    await expectPdsegError(
      loadConfig({ overrides: [...CROPS, 'BATCH_SIZE', '2.5'] }),
      'CONFIG_TYPE',
      'expected an int, got the float 2.5',
    );
  });

  it('accepts ints where floats are expected', async () => {
    const cfg = await loadConfig({ overrides: [...CROPS, 'SOLVER.LR', '1', 'MEAN', '[0, 1, 0]'] });
    expect(cfg.SOLVER.LR).toBe(1);
    expect(cfg.MEAN).toEqual([0, 1, 0]);
  });

  it('rejects a number for a string and says how to quote it', async () => {
    await expectPdsegError(
      loadConfig({ overrides: [...CROPS, 'TEST.TEST_MODEL', '123'] }),
      'CONFIG_TYPE',
      `quote it Python-style: '"123"'`,
    );
  });

  it('rejects list items of the wrong type, from YAML with the line', async () => {
    const f = await writeYaml(
      dir,
      'mean.yaml',
      'TRAIN_CROP_SIZE: (1, 1)\nEVAL_CROP_SIZE: (1, 1)\nMEAN: [0.5, "a", 0.5]\n',
    );
    const e = await expectPdsegError(loadConfig({ cfgFile: f }), 'CONFIG_TYPE', 'MEAN: expected');
    expect(e.message).toContain(`${f}:3`);
  });

  it('accepts a tuple where a list is expected and a list where a tuple is', async () => {
    const cfg = await loadConfig({
      overrides: ['TRAIN_CROP_SIZE', '[512, 512]', 'EVAL_CROP_SIZE', '(512, 512)', 'STD', '(0.1, 0.2, 0.3)'],
    });
    expect(cfg.TRAIN_CROP_SIZE).toEqual([512, 512]);
    expect(cfg.STD).toEqual([0.1, 0.2, 0.3]);
  });

  it('accepts anything that fits a None default (VIS_FILE_LIST, CROSS_ENTROPY_WEIGHT)', async () => {
    const cfg = await loadConfig({
      overrides: [...CROPS, 'DATASET.VIS_FILE_LIST', 'a.txt', 'SOLVER.CROSS_ENTROPY_WEIGHT', 'dynamic'],
    });
    expect(cfg.DATASET.VIS_FILE_LIST).toBe('a.txt');
    expect(cfg.SOLVER.CROSS_ENTROPY_WEIGHT).toBe('dynamic');
  });

  it('rejects a scalar over a sub-tree, from the command line and from YAML', async () => {
    await expectPdsegError(
      loadConfig({ overrides: [...CROPS, 'DATASET', '3'] }),
      'CONFIG_TYPE',
      'DATASET is a group of keys; a single value (the int 3) may not replace it',
    );
    const f = await writeYaml(dir, 'scalar.yaml', 'BATCH_SIZE: 2\nDATASET: 5\n');
    const e = await expectPdsegError(loadConfig({ cfgFile: f }), 'CONFIG_TYPE', 'may not replace it');
    expect(e.message).toContain(`${f}:2`);
  });

  it('rejects a mapping for a single value', async () => {
    const f = await writeYaml(dir, 'map-leaf.yaml', 'MEAN:\n  a: 1\n');
    await expectPdsegError(loadConfig({ cfgFile: f }), 'CONFIG_TYPE', 'MEAN is a single value, not a group');
  });

  it('reports values Python cannot build (unhashable dict key) instead of crashing', async () => {
    await expectPdsegError(
      loadConfig({ overrides: [...CROPS, 'SOLVER.CROSS_ENTROPY_WEIGHT', '{[1]: 2}'] }),
      'CONFIG_TYPE',
      'unhashable',
    );
  });
});

describe('overrides and files', () => {
  it('rejects an odd number of override words and shows the pairs', async () => {
    await expectPdsegError(
      loadConfig({ overrides: ['DATASET.NUM_CLASSES', '19', 'TEST.TEST_MODEL'] }),
      'CONFIG_OVERRIDES',
      'DATASET.NUM_CLASSES 19 | TEST.TEST_MODEL <missing value>',
    );
  });

  it('names a missing config file', async () => {
    await expectPdsegError(
      loadConfig({ cfgFile: 'no/such.yaml', cwd: dir }),
      'CONFIG_FILE',
      'no/such.yaml: no such file',
    );
  });

  it('names an empty config file', async () => {
    const f = await writeYaml(dir, 'empty.yaml', '# nothing\n\n');
    await expectPdsegError(loadConfig({ cfgFile: f }), 'CONFIG_FILE', 'is empty');
  });

  it('names the file, line and column of invalid YAML', async () => {
    const f = await writeYaml(dir, 'bad.yaml', 'DATASET:\n  NUM_CLASSES: [1, 2\n');
    await expectPdsegError(loadConfig({ cfgFile: f }), 'CONFIG_PARSE', `invalid YAML in ${f}:3`);
  });

  it('rejects a key written twice in one mapping, with its line', async () => {
    const f = await writeYaml(dir, 'dup.yaml', 'DATASET:\n  NUM_CLASSES: 2\n  NUM_CLASSES: 3\n');
    await expectPdsegError(loadConfig({ cfgFile: f }), 'CONFIG_PARSE', `${f}:3`);
  });

  it('rejects a YAML file that is not a mapping', async () => {
    const f = await writeYaml(dir, 'list.yaml', '- a\n- b\n');
    await expectPdsegError(loadConfig({ cfgFile: f }), 'CONFIG_PARSE', 'must be a YAML mapping');
  });

  it('rejects a folder given as the config file', async () => {
    await expectPdsegError(loadConfig({ cfgFile: dir }), 'CONFIG_FILE', 'it is a folder');
  });
});
