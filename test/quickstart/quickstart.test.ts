/**
 * `pdseg quickstart` end to end on a small PSPNet (KEY VALUE overrides): the online path
 * against a local 127.0.0.1 server serving generated zoo/dataset archives through --mirror,
 * the offline path on the synthetic checkpoint, idempotence, and the unreachable-host line.
 */
import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeCheckpoint } from '../../src/paddle/checkpoint-writer.js';
import { tarArchive } from '../download/fixtures.js';
import { startServer, type TestServer } from '../download/server.js';
import { makeZip, type ZipEntrySpec } from '../download/zip-writer.js';
import { pspnetParams } from '../fixtures/pspnet.js';
import { mulberry32, seededValues } from '../fixtures/seeded-weights.js';
import { runCli, tempDir } from '../helpers.js';
import { seededRgb } from '../predict/images.js';

const SMALL = [
  'MODEL.PSPNET.DEPTH_MULTIPLIER',
  '0.125',
  'EVAL_CROP_SIZE',
  '(64, 64)',
  'AUG.FIX_RESIZE_SIZE',
  '(64, 64)',
];

let tmp: { dir: string; cleanup: () => Promise<void> };
let server: TestServer;

/** A zoo-shaped `pspnet50_cityscapes.tgz`: top folder, one Paddle file per parameter, 19 classes. */
async function modelArchive(work: string): Promise<Buffer> {
  const params = pspnetParams({ numClasses: 19, depthMultiplier: 0.125, layers: 50, cropSize: [64, 64] });
  const rnd = mulberry32(7);
  const src = join(work, 'src');
  await writeCheckpoint(
    join(src, 'pspnet50_cityscapes'),
    params.map((p) => ({
      name: p.name,
      dims: [...p.dims],
      dtype: 'float32' as const,
      data: seededValues(p.name, p.dims, rnd),
    })),
    'per-file',
  );
  return tarArchive(src, join(work, 'pspnet50_cityscapes.tgz'), ['-cz', 'pspnet50_cityscapes']);
}

/** An `optic_disc_seg.zip` with two test images listed in test_list.txt. */
async function datasetArchive(): Promise<Buffer> {
  const entries: ZipEntrySpec[] = [
    { name: 'optic_disc_seg/', type: 'dir' },
    { name: 'optic_disc_seg/JPEGImages/', type: 'dir' },
  ];
  const ids = ['N0001', 'N0002'];
  for (const [i, id] of ids.entries()) {
    const jpg = await sharp(seededRgb(96, 80, i + 1), { raw: { width: 96, height: 80, channels: 3 } })
      .jpeg()
      .toBuffer();
    entries.push({ name: `optic_disc_seg/JPEGImages/${id}.jpg`, data: jpg, method: 'store' });
  }
  const list = ids.map((id) => `JPEGImages/${id}.jpg`).join('\n');
  for (const f of ['train_list.txt', 'val_list.txt', 'test_list.txt'])
    entries.push({ name: `optic_disc_seg/${f}`, data: `${list}\n`, method: 'deflate' });
  return makeZip(entries);
}

beforeAll(async () => {
  tmp = await tempDir();
  await mkdir(join(tmp.dir, 'work'), { recursive: true });
  server = await startServer({
    '/models/pspnet50_cityscapes.tgz': { body: await modelArchive(join(tmp.dir, 'work')) },
    '/dataset/optic_disc_seg.zip': { body: await datasetArchive() },
  });
}, 120_000);

afterAll(async () => {
  await server?.close();
  await tmp?.cleanup();
});

describe('pdseg quickstart', () => {
  it('online through --mirror: downloads, exports with the tutorial overrides, predicts the test list; then reuses', async () => {
    const dir = join(tmp.dir, 'online');
    await mkdir(dir);
    const args = ['quickstart', '--mirror', server.origin, '--threads', '1', ...SMALL];
    const r = await runCli(args, { cwd: dir });
    expect(r.stderr).not.toContain('error');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('masks:  visual/ (2 palette PNGs, 2 written now)');
    expect(r.stdout).toContain('pdseg graph freeze_model/model.onnx');
    expect(r.stdout).not.toContain('SYNTHETIC');
    for (const id of ['N0001', 'N0002']) {
      const meta = await sharp(join(dir, 'visual', `${id}.png`)).metadata();
      expect([meta.width, meta.height, meta.isPalette]).toEqual([96, 80, true]);
    }
    const deploy = await readFile(join(dir, 'freeze_model', 'deploy.yaml'), 'utf8');
    expect(deploy).toContain('19');
    expect(server.requests.map((q) => q.path).sort()).toEqual([
      '/dataset/optic_disc_seg.zip',
      '/models/pspnet50_cityscapes.tgz',
    ]);
    const modelTime = (await stat(join(dir, 'freeze_model', 'model.onnx'))).mtimeMs;

    const again = await runCli(args, { cwd: dir });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('(reused)');
    expect(again.stdout).toContain('0 written now');
    expect(server.requests.length).toBe(2);
    expect((await stat(join(dir, 'freeze_model', 'model.onnx'))).mtimeMs).toBe(modelTime);
  }, 180_000);

  it('offline: synthetic checkpoint in the zoo layout, shipped samples, every output labelled', async () => {
    const dir = join(tmp.dir, 'offline');
    await mkdir(dir);
    const r = await runCli(['quickstart', '--offline', '--threads', '1', ...SMALL], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('SYNTHETIC WEIGHTS');
    expect(r.stdout).toContain('visual_synthetic/ (3 palette PNGs, 3 written now)');
    expect(r.stdout).toContain('pdseg graph freeze_model_synthetic/model.onnx');
    // zoo layout: one file per parameter, `/` in names as sub-folders
    expect(
      (
        await stat(
          join(dir, 'pretrained_model', 'pspnet50_bn_cityscapes_synthetic', 'psp1', 'BatchNorm', 'gamma'),
        )
      ).isFile(),
    ).toBe(true);
    expect(await readFile(join(dir, 'visual_synthetic', 'SYNTHETIC_WEIGHTS.txt'), 'utf8')).toContain(
      'SYNTHETIC',
    );
    expect(
      await readFile(join(dir, 'pretrained_model', 'pspnet50_bn_cityscapes_synthetic.README.txt'), 'utf8'),
    ).toContain('SYNTHETIC');
    const meta = await sharp(join(dir, 'visual_synthetic', 'fundus_macula.png')).metadata();
    expect([meta.width, meta.height]).toEqual([360, 240]);
  }, 180_000);

  it('an unreachable host gives one line offering --mirror and --offline (exit 1)', async () => {
    const dir = join(tmp.dir, 'unreachable');
    await mkdir(dir);
    // A closed port on the loopback: connection refused.
    const probe = await startServer({});
    const origin = probe.origin;
    await probe.close();
    const r = await runCli(['quickstart', '--mirror', origin, ...SMALL], { cwd: dir });
    expect(r.code).toBe(1);
    // Progress info ("downloading …") may precede it; the failure itself is one line, no retry warnings.
    expect(r.stderr).not.toContain('WARNING');
    const lines = r.stderr
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('pdseg: error'));
    expect(lines.length).toBe(1);
    expect(lines[0]).toContain('DOWNLOAD_NETWORK');
    expect(lines[0]).toContain('--mirror URL');
    expect(lines[0]).toContain('--offline');
  }, 60_000);
});
