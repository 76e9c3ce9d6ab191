/** `pdseg predict` and `pdseg eval` through the built binary on the fixture PSPNet. */
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePspnetFixture } from '../fixtures/pspnet.js';
import { runCli, tempDir } from '../helpers.js';
import { writeTestImage } from '../predict/images.js';

let tmp: { dir: string; cleanup: () => Promise<void> };

beforeAll(async () => {
  tmp = await tempDir();
  await makePspnetFixture({ dir: tmp.dir, numClasses: 2 });
  const inDir = join(tmp.dir, 'photos');
  await mkdir(inDir, { recursive: true });
  await writeTestImage(inDir, 'p1.jpg', 90, 60, 1);
  await writeTestImage(inDir, 'p2.png', 64, 64, 2);
}, 120_000);

afterAll(async () => {
  await tmp.cleanup();
});

describe('pdseg predict (CLI)', () => {
  it('segments a folder with the model metadata and prints a summary', async () => {
    const r = await runCli(
      ['predict', '--input', 'photos', '--model', 'freeze_model', '--output', 'vis', '--threads', '1'],
      {
        cwd: tmp.dir,
      },
    );
    expect(r.stderr).not.toContain('error');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('2 of 2 image(s) segmented into vis/');
    for (const name of ['p1.png', 'p2.png'])
      expect((await stat(join(tmp.dir, 'vis', name))).size).toBeGreaterThan(50);
  }, 60_000);

  it('--no-fold runs the literal graph and writes the same label maps here', async () => {
    const r = await runCli(
      ['predict', '--input', 'photos', '--output', 'vis-literal', '--threads', '1', '--no-fold'],
      { cwd: tmp.dir },
    );
    expect(r.code).toBe(0);
    const d = await runCli(['predict', '--input', 'photos', '--output', 'vis-default', '--threads', '1'], {
      cwd: tmp.dir,
    });
    expect(d.code).toBe(0);
    for (const name of ['p1.png', 'p2.png']) {
      const [a, b] = await Promise.all([
        readFile(join(tmp.dir, 'vis-literal', name)),
        readFile(join(tmp.dir, 'vis-default', name)),
      ]);
      expect(Buffer.compare(a, b)).toBe(0);
    }
    const help = await runCli(['predict', '--help']);
    expect(help.stdout).toContain('--no-fold');
  }, 60_000);

  it('uses --cfg and KEY VALUE, and exits 1 naming a corrupt file while writing the others', async () => {
    const dir = join(tmp.dir, 'mixed');
    await mkdir(dir, { recursive: true });
    await writeTestImage(dir, 'ok.png', 30, 20, 3);
    await writeFile(join(dir, 'broken.png'), 'not a png');
    const r = await runCli(
      [
        'predict',
        '--cfg',
        'pspnet_fixture.yaml',
        '--output',
        'vis2',
        // KEY VALUE right after the variadic --input, as users type it
        '--input',
        'mixed',
        'AUG.AUG_METHOD',
        'rangescaling',
        'AUG.INF_RESIZE_VALUE',
        '64',
      ],
      { cwd: tmp.dir },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot decode image ".*broken\.png": \S/);
    expect(r.stderr).not.toContain('[object');
    expect(r.stdout).toContain('1 of 2 image(s) segmented');
    expect((await stat(join(tmp.dir, 'vis2', 'ok.png'))).isFile()).toBe(true);
  }, 60_000);

  it('rejects conflicting output names before running (exit 2)', async () => {
    const dir = join(tmp.dir, 'dups');
    await mkdir(dir, { recursive: true });
    await writeTestImage(dir, 'same.png', 8, 8, 4);
    await writeTestImage(dir, 'same.jpg', 8, 8, 5);
    const r = await runCli(['predict', '--input', 'dups', '--output', 'vis3'], { cwd: tmp.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('OUTPUT_CONFLICT');
  }, 60_000);
});

describe('pdseg eval (CLI)', () => {
  it('prints PaddleSeg lines and JSON for the val list', async () => {
    const { writeDataset } = await import('../eval/dataset.js');
    const dataDir = join(tmp.dir, 'dataset', 'fixture');
    await writeDataset(dataDir, { count: 2, width: 64, height: 64, numClasses: 2 });
    await writeFile(join(dataDir, 'labels.txt'), 'background\noptic disc\n');
    const r = await runCli(['eval', '--cfg', 'pspnet_fixture.yaml'], { cwd: tmp.dir });
    expect(r.code).toBe(0);
    // The literal graph gives the same metrics on this fixture.
    const literal = await runCli(['eval', '--cfg', 'pspnet_fixture.yaml', '--no-fold'], { cwd: tmp.dir });
    expect(literal.code).toBe(0);
    expect(literal.stdout).toBe(r.stdout);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^\[EVAL\]#image=2 acc=\d\.\d{4} IoU=\d\.\d{4}$/);
    expect(lines[1]).toMatch(/^\[EVAL\]Category IoU: \[\d\.\d{4} \d\.\d{4}\]$/);
    expect(lines[2]).toMatch(/^\[EVAL\]Category Acc: \[\d\.\d{4} \d\.\d{4}\]$/);
    expect(lines[3]).toMatch(/^\[EVAL\]Kappa:(-?\d\.\d{4}|nan)$/);
    expect(r.stdout).toContain('optic disc');
    const j = await runCli(['eval', '--cfg', 'pspnet_fixture.yaml', '--json'], { cwd: tmp.dir });
    const parsed = JSON.parse(j.stdout);
    expect(parsed.images).toBe(2);
    expect(parsed.classNames).toEqual(['background', 'optic disc']);
    const total = (parsed.confusionMatrix as number[][]).flat().reduce((a, b) => a + b, 0);
    expect(total).toBe(2 * 64 * 63);
    expect(lines[0]).toContain(`acc=${parsed.accuracy.toFixed(4)}`);
  }, 60_000);

  it('documents that the per-class Acc is precision', async () => {
    const r = await runCli(['eval', '--help']);
    expect(r.stdout).toContain('PRECISION');
  });
});
