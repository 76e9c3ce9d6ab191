/**
 * Hostile configs get a named error, never an exhausted heap or stack: an alias bomb, a
 * recursive alias, a file or a value over the limits, an integer beyond 2^53.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { CONFIG_LIMITS } from '../../src/config/limits.js';
import { isPdsegError } from '../../src/errors.js';
import { runCli, tempDir } from '../helpers.js';

let tmp: { dir: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  tmp = await tempDir('pdseg-config-limits-');
});
afterAll(async () => {
  await tmp.cleanup();
});

async function refused(text: string, code: string, phrase: string, overrides: string[] = []) {
  const file = join(tmp.dir, `c${Math.random().toString(36).slice(2)}.yaml`);
  await writeFile(file, text);
  const t0 = performance.now();
  let caught: unknown;
  try {
    await loadConfig({ cfgFile: file, overrides });
  } catch (e) {
    caught = e;
  }
  expect(isPdsegError(caught), String(caught)).toBe(true);
  expect((caught as { code: string }).code).toBe(code);
  expect((caught as Error).message).toContain(phrase);
  // Refused quickly, before anything was expanded.
  expect(performance.now() - t0).toBeLessThan(2000);
}

const nine = (x: string) => Array(9).fill(x).join(', ');

describe('config limits', () => {
  test('a nine-level alias bomb inside MEAN is refused before it is expanded', async () => {
    const levels = ['&a [1, 1, 1, 1, 1, 1, 1, 1, 1]'];
    for (const [i, name] of ['b', 'c', 'd', 'e', 'f', 'g', 'h'].entries())
      levels.push(`&${name} [${nine(`*${'abcdefgh'[i]}`)}]`);
    levels.push(`[${nine('*h')}]`);
    await refused(
      `MEAN: [${levels.join(', ')}]\n`,
      'CONFIG_PARSE',
      `expand to more than ${CONFIG_LIMITS.nodes} values`,
    );
  });

  test('a recursive alias names the alias', async () => {
    await refused('MEAN: &a [1, *a]\n', 'CONFIG_PARSE', 'the alias *a refers to the value that contains it');
  });

  test('a file over the size limit, and a value over the length limit', async () => {
    await refused(
      `MEAN: [0.5]\n${'# x\n'.repeat(CONFIG_LIMITS.fileBytes / 4 + 1)}`,
      'CONFIG_FILE',
      'more than the 1048576 a config may have',
    );
    await refused(
      `MODEL:\n    MODEL_NAME: "${'a'.repeat(CONFIG_LIMITS.scalarChars + 1)}"\n`,
      'CONFIG_FILE',
      'a value of 65537 characters',
    );
    await refused('MEAN: [0.5, 0.5, 0.5]\n', 'CONFIG_FILE', 'command line value of MODEL.MODEL_NAME', [
      'MODEL.MODEL_NAME',
      'x'.repeat(70_000),
    ]);
  });

  test('aliases that stay small are still fine', async () => {
    const file = join(tmp.dir, 'ok.yaml');
    await writeFile(
      file,
      'MEAN: &m [0.4, 0.4, 0.4]\nSTD: *m\nTRAIN_CROP_SIZE: (64, 64)\nEVAL_CROP_SIZE: (64, 64)\n',
    );
    const cfg = await loadConfig({ cfgFile: file });
    expect(cfg.STD).toEqual([0.4, 0.4, 0.4]);
  });

  test('an integer beyond 2^53 is a CONFIG_TYPE error, not 1e+26 (CLI, exit 2)', async () => {
    const r = await runCli([
      'config',
      '--cfg',
      'configs/pspnet_optic.yaml',
      'BATCH_SIZE',
      '123456789012345678901234567',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('[CONFIG_TYPE]');
    expect(r.stderr).toContain('beyond ±2^53');
    expect(r.stderr).not.toContain('unexpected error');
  });

  test.each([
    ['DATASET.NUM_CLASSES', '0', 'from 1 to 65536'],
    ['DATASET.NUM_CLASSES', '-4', 'from 1 to 65536'],
    ['MODEL.PSPNET.DEPTH_MULTIPLIER', '-1', 'from 1/64 to 8'],
    ['MODEL.PSPNET.DEPTH_MULTIPLIER', '1e9', 'from 1/64 to 8'],
    ['EVAL_CROP_SIZE', '(0, 512)', 'two integers from 1 to 16384'],
  ])('%s %s is refused at config time, naming the range', async (key, value, phrase) => {
    await refused(
      'MEAN: [0.5, 0.5, 0.5]\nTRAIN_CROP_SIZE: (64, 64)\nEVAL_CROP_SIZE: (64, 64)\n',
      'CONFIG_CHECK',
      phrase,
      [key, value],
    );
  });
});
