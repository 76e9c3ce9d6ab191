import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers.js';

describe('pdseg config', () => {
  it('prints the merged tree as JSON (the issue-2 acceptance command)', async () => {
    const r = await runCli([
      'config',
      '--cfg',
      'configs/pspnet_optic.yaml',
      'DATASET.NUM_CLASSES',
      '19',
      '--json',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const cfg = JSON.parse(r.stdout);
    expect(cfg.DATASET.NUM_CLASSES).toBe(19);
    expect(cfg.EVAL_CROP_SIZE).toEqual([512, 512]);
    expect(cfg.MODEL.MODEL_NAME).toBe('pspnet');
    expect(cfg.MODEL.PSPNET.LAYERS).toBe(50);
    expect(cfg.DATASET.PADDING_VALUE).toEqual([127.5, 127.5, 127.5]);
  });

  it('prints YAML by default, with tuples written as PaddleSeg writes them', async () => {
    const r = await runCli([
      'config',
      '--cfg',
      'configs/pspnet_optic.yaml',
      'TEST.TEST_MODEL',
      './pretrained_model/x/',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('EVAL_CROP_SIZE: (512, 512)\n');
    const doc = load(r.stdout) as Record<string, Record<string, unknown>>;
    expect(doc.TEST?.TEST_MODEL).toBe('./pretrained_model/x/');
    expect(doc.DATASET?.NUM_CLASSES).toBe(2);
  });

  it('accepts negative numbers as override values', async () => {
    const r = await runCli([
      'config',
      '--cfg',
      'configs/pspnet_optic.yaml',
      'SOLVER.BEGIN_EPOCH',
      '-1',
      '--json',
    ]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).SOLVER.BEGIN_EPOCH).toBe(-1);
  });

  const errors: Array<[string, string[], string]> = [
    ['an unknown key', ['DATASET.NUM_CLASS', '19'], 'did you mean DATASET.NUM_CLASSES?'],
    ['a wrong type', ['DATASET.NUM_CLASSES', 'abc'], '[CONFIG_TYPE]'],
    ['odd overrides', ['DATASET.NUM_CLASSES'], '[CONFIG_OVERRIDES]'],
  ];
  for (const [what, words, phrase] of errors) {
    it(`exits 2 with one line on stderr for ${what}`, async () => {
      const r = await runCli(['config', '--cfg', 'configs/pspnet_optic.yaml', ...words]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(phrase);
    });
  }

  it('exits 2 naming a missing config file', async () => {
    const r = await runCli(['config', '--cfg', 'configs/nope.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('[CONFIG_FILE]');
    expect(r.stderr).toContain('configs/nope.yaml');
  });
});
