/**
 * `pdseg quickstart` end to end on a small PSPNet (KEY VALUE overrides): the online path
 * against a local 127.0.0.1 server serving generated zoo/dataset archives through --mirror,
 * the offline path on the synthetic checkpoint, idempotence, and the unreachable-host line.
 */
import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { defaultEntries } from '../../src/download/registry.js';
import { buildPredictProgram } from '../../src/models/model-builder.js';
import { writeCheckpoint } from '../../src/paddle/checkpoint-writer.js';
import { paramSpecs } from '../../src/program/program.js';
import { needsOpticDataset, OPTIC_DATASET, ZOO_RECIPES } from '../../src/quickstart/zoo-recipes.js';
import { tarArchive } from '../download/fixtures.js';
import { startServer, type TestServer } from '../download/server.js';
import { makeZip, type ZipEntrySpec } from '../download/zip-writer.js';
import { pspnetParams } from '../fixtures/pspnet.js';
import { mulberry32, seededValues } from '../fixtures/seeded-weights.js';
import { ROOT, runCli, tempDir } from '../helpers.js';
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

const UNET_SMALL = ['EVAL_CROP_SIZE', '(32, 32)', 'AUG.FIX_RESIZE_SIZE', '(32, 32)'];

/** A zoo-shaped `unet_coco_v3.tgz` whose classifier has 7 classes (the count quickstart must read). */
async function unetCocoArchive(work: string): Promise<Buffer> {
  const cfg = await loadConfig({
    cfgFile: join(ROOT, 'configs', 'unet_optic.yaml'),
    overrides: ['DATASET.NUM_CLASSES', '7', ...UNET_SMALL],
  });
  const rnd = mulberry32(9);
  const src = join(work, 'unet-src');
  await writeCheckpoint(
    join(src, 'unet_coco_v3'),
    paramSpecs(buildPredictProgram(cfg)).map((p) => ({
      name: p.name,
      dims: [...p.dims],
      dtype: 'float32' as const,
      data: seededValues(p.name, p.dims, rnd),
    })),
    'per-file',
  );
  return tarArchive(src, join(work, 'unet_coco_v3.tgz'), ['-cz', 'unet_coco_v3']);
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
    '/models/unet_coco_v3.tgz': { body: await unetCocoArchive(join(tmp.dir, 'work')) },
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

  it('--model with a COCO checkpoint reads the class count from its classifier', async () => {
    const dir = join(tmp.dir, 'coco');
    await mkdir(dir);
    const before = server.requests.length;
    const r = await runCli(
      ['quickstart', '--model', 'unet_bn_coco', '--mirror', server.origin, '--threads', '1', ...UNET_SMALL],
      {
        cwd: dir,
      },
    );
    expect(r.stderr).not.toContain('error');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('unet_bn_coco exported with configs/unet_optic.yaml DATASET.NUM_CLASSES 7.');
    expect(r.stdout).toContain('masks:  visual/unet_bn_coco/ (2 palette PNGs, 2 written now)');
    expect(await readFile(join(dir, 'freeze_model', 'unet_bn_coco', 'deploy.yaml'), 'utf8')).toMatch(
      /NUM_CLASSES\s*:\s*7\b/,
    );
    expect(
      server.requests
        .slice(before)
        .map((q) => q.path)
        .sort(),
    ).toEqual(['/dataset/optic_disc_seg.zip', '/models/unet_coco_v3.tgz']);
  }, 180_000);

  it('--model --offline: ICNet in its own layout, labelled synthetic', async () => {
    const dir = join(tmp.dir, 'icnet');
    await mkdir(dir);
    const small = [
      'MODEL.ICNET.DEPTH_MULTIPLIER',
      '0.125',
      'EVAL_CROP_SIZE',
      '(128, 128)',
      'AUG.FIX_RESIZE_SIZE',
      '(128, 128)',
    ];
    const r = await runCli(
      ['quickstart', '--model', 'icnet_bn_cityscapes', '--offline', '--threads', '1', ...small],
      { cwd: dir },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('SYNTHETIC WEIGHTS (--offline) in the layout of icnet_bn_cityscapes');
    expect(r.stdout).toContain('visual_synthetic/icnet_bn_cityscapes/ (3 palette PNGs, 3 written now)');
    const ckpt = join(dir, 'pretrained_model', 'icnet_bn_cityscapes_synthetic');
    expect((await stat(join(ckpt, 'logit124', 'biases'))).isFile()).toBe(true);
    expect((await stat(join(ckpt, 'bnv1_1_scale'))).isFile()).toBe(true);
  }, 180_000);

  it('an unknown --model names the nearest zoo models', async () => {
    const r = await runCli(['quickstart', '--model', 'icnet_cityscapes', '--offline'], { cwd: tmp.dir });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(
      '--model "icnet_cityscapes" is not a PaddleSeg v0.7 zoo model; nearest: icnet_bn_cityscapes',
    );
  });

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

describe('zoo recipes', () => {
  it('every model of the download registry has one, and each builds its network', async () => {
    const models = defaultEntries()
      .filter((e) => e.kind === 'model')
      .map((e) => e.name);
    expect([...ZOO_RECIPES.keys()].sort()).toEqual([...models].sort());
    for (const [name, recipe] of ZOO_RECIPES) {
      const cfg = await loadConfig({
        cfgFile: join(ROOT, 'configs', recipe.config),
        overrides: [...recipe.overrides, ...(needsOpticDataset(recipe.config) ? OPTIC_DATASET : [])],
      });
      const params = paramSpecs(buildPredictProgram(cfg)).map((p) => p.name);
      expect(params.length, name).toBeGreaterThan(20);
      if (recipe.classifier) expect(params, name).toContain(recipe.classifier);
    }
  }, 120_000);
});
