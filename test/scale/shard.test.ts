/**
 * Sharded predict (predict/shard.ts, `pdseg predict --shard`), `pdseg merge-summaries` and
 * `pdseg job`: the union of N shard runs (N = 1, 3, 7, one shard killed with SIGKILL and
 * rerun with --skip-existing) is byte-identical to one unsharded run and the rerun redoes
 * only what was missing; outputs keep the inputs' folders; exit codes tell bad input from
 * transient failures; the Job manifest round-trips through @kubernetes/client-node's models.
 */
import { spawn } from 'node:child_process';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { dumpYaml, loadYaml, type V1Job } from '@kubernetes/client-node';
import { load } from 'js-yaml';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PdsegError } from '../../src/errors.js';
import {
  failureKind,
  mergeSummaries,
  resolveShard,
  type ShardSummary,
  shardItems,
} from '../../src/predict/shard.js';
import { makePspnetFixture } from '../fixtures/pspnet.js';
import { BIN, runCli, tempDir } from '../helpers.js';
import { writeTestImage } from '../predict/images.js';

let tmp: { dir: string; cleanup: () => Promise<void> };
const IMAGES = [
  'a/x.jpg',
  'b/x.jpg',
  'a/c/y.png',
  'b/z.png',
  'w1.jpg',
  'w2.png',
  'w3.jpg',
  'a/c/d/v.png',
  'b/u.jpg',
];

beforeAll(async () => {
  tmp = await tempDir('pdseg-shard-');
  await makePspnetFixture({ dir: tmp.dir, numClasses: 2 });
  for (const [i, rel] of IMAGES.entries()) {
    const at = join(tmp.dir, 'data', rel);
    await mkdir(join(at, '..'), { recursive: true });
    await writeTestImage(join(at, '..'), rel.split('/').pop()!, 40 + 7 * i, 32 + 5 * i, i + 1);
  }
  // Labels (0, 1 and the ignore value 255) for eval over the union of the shards.
  for (const [i, rel] of IMAGES.entries()) {
    const [w, h] = [40 + 7 * i, 32 + 5 * i];
    const px = Buffer.alloc(w * h).map((_, k) => (k % 13 === 0 ? 255 : (k * 7 + i) % 3 === 0 ? 1 : 0));
    const at = join(tmp.dir, 'data', 'labels', rel.replace(/\.(jpg|png)$/, '.png'));
    await mkdir(join(at, '..'), { recursive: true });
    await sharp(px, { raw: { width: w, height: h, channels: 1 } })
      .toColourspace('b-w')
      .png()
      .toFile(at);
  }
  await writeFile(
    join(tmp.dir, 'list.txt'),
    `${IMAGES.map((p) => `${p} labels/${p.replace(/\.(jpg|png)$/, '.png')}`).join('\n')}\n`,
  );
  // The unsharded run every sharded one is compared with.
  const full = await predict(['--output', 'full', '--keep-folders']);
  if (full.code !== 0) throw new Error(`unsharded predict failed: ${full.stderr}`);
}, 120_000);
afterAll(async () => {
  await tmp.cleanup();
});

const predict = (extra: string[], env: NodeJS.ProcessEnv = {}) =>
  runCli(
    [
      'predict',
      '--model',
      'freeze_model',
      '--list',
      'list.txt',
      '--data-dir',
      'data',
      '--threads',
      '1',
      ...extra,
    ],
    {
      cwd: tmp.dir,
      env,
    },
  );

async function tree(dir: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  const walk = async (d: string) => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        if (e.name !== '.pdseg') await walk(p);
      } else out.set(relative(dir, p), await readFile(p));
    }
  };
  await walk(dir);
  return out;
}

describe('shard selection', () => {
  it('reads --shard I/N, --shard I --shards N, and JOB_COMPLETION_INDEX with --shards or PDSEG_SHARDS', () => {
    expect(resolveShard('2/7', undefined, {})).toEqual({ index: 2, count: 7 });
    expect(resolveShard('1', '3', {})).toEqual({ index: 1, count: 3 });
    expect(resolveShard(undefined, '4', { JOB_COMPLETION_INDEX: '3' })).toEqual({ index: 3, count: 4 });
    expect(resolveShard(undefined, undefined, { JOB_COMPLETION_INDEX: '0', PDSEG_SHARDS: '2' })).toEqual({
      index: 0,
      count: 2,
    });
    expect(resolveShard(undefined, undefined, {})).toBeUndefined();
    for (const [flag, count, env, phrase] of [
      ['3/3', undefined, {}, 'not below the shard count 3'],
      ['x/3', undefined, {}, 'must be a whole number, got "x"'],
      ['1', undefined, {}, 'without a shard count'],
      [undefined, '3', {}, 'needs the shard index'],
      ['0/0', undefined, {}, 'at least 1'],
    ] as const) {
      expect(() => resolveShard(flag, count, env)).toThrow(phrase);
    }
  });

  it('the N shards partition the list, in order, for every N', () => {
    const items = Array.from({ length: 23 }, (_, i) => i);
    for (const n of [1, 2, 3, 7, 23, 30]) {
      const parts = Array.from({ length: n }, (_, i) => shardItems(items, { index: i, count: n }));
      expect(parts.flat().sort((a, b) => a - b)).toEqual(items);
      for (const p of parts) expect(p).toEqual([...p].sort((a, b) => a - b));
    }
  });

  it('tells the input’s fault from a transient failure', () => {
    expect(failureKind(new PdsegError('IMAGE_DECODE', 'x'))).toBe('input');
    expect(failureKind(Object.assign(new Error('gone'), { code: 'ENOENT' }))).toBe('input');
    expect(failureKind(Object.assign(new Error('disk'), { code: 'ENOSPC' }))).toBe('transient');
    expect(failureKind(new Error('session failed'))).toBe('transient');
  });

  it('merges summaries, naming missing and duplicate shards', () => {
    const s = (index: number, images: number): ShardSummary => ({
      shard: { index, count: 3 },
      images,
      written: images,
      skipped: 0,
      failures: [],
      seconds: 1,
      imagesPerSecond: images,
      startedAt: '',
      finishedAt: '',
    });
    const m = mergeSummaries([
      { file: 'a', summary: s(0, 3) },
      { file: 'b', summary: s(2, 2) },
    ]);
    expect([m.shards, m.missing, m.images]).toEqual([3, [1], 5]);
    expect(() =>
      mergeSummaries([
        { file: 'a', summary: s(0, 3) },
        { file: 'b', summary: s(0, 3) },
      ]),
    ).toThrow('shard 0 appears twice: "a" and "b"');
  });
});

describe('pdseg predict --shard', () => {
  it('N = 1, 3, 7 shards give exactly the files of one run, keeping folders (x.jpg twice)', async () => {
    const want = await tree(join(tmp.dir, 'full'));
    expect([...want.keys()].sort()).toEqual(IMAGES.map((p) => p.replace(/\.(jpg|png)$/, '.png')).sort());
    for (const n of [1, 3, 7]) {
      for (let i = 0; i < n; i++) {
        const r = await predict(['--output', `s${n}`, '--shard', `${i}/${n}`]);
        expect(r.code, r.stderr).toBe(0);
        expect(r.stdout).toContain(`(shard ${i}/${n}: `);
      }
      const got = await tree(join(tmp.dir, `s${n}`));
      expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
      for (const [k, v] of want) expect(Buffer.compare(got.get(k)!, v), `${n}: ${k}`).toBe(0);
      const merged = await runCli(['merge-summaries', join(`s${n}`, '.pdseg')], { cwd: tmp.dir });
      expect(merged.code).toBe(0);
      expect(merged.stdout).toContain(
        `${n} of ${n} shard(s): ${IMAGES.length} image(s), ${IMAGES.length} written`,
      );
    }
    const partial = await runCli(['merge-summaries', join('s3', '.pdseg', 'shard-0-of-3.json')], {
      cwd: tmp.dir,
    });
    expect(partial.code).toBe(1);
    expect(partial.stdout).toContain('missing shards: 1, 2');
  }, 240_000);

  it('eval --predictions over the union of the shards: the metrics of one run, and of the masks themselves', async () => {
    const evalOf = async (dir: string) => {
      const r = await runCli(
        [
          'eval',
          '--cfg',
          'pspnet_fixture.yaml',
          '--predictions',
          dir,
          '--json',
          'DATASET.VAL_FILE_LIST',
          'list.txt',
          'DATASET.DATA_DIR',
          'data',
        ],
        { cwd: tmp.dir },
      );
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as { images: number; confusionMatrix: number[][]; miou: number };
    };
    const union = await evalOf('s7');
    expect(await evalOf('full')).toEqual({ ...union, seconds: expect.any(Number) });
    expect(union.images).toBe(IMAGES.length);
    // The confusion matrix counted here from the PNGs, independently of src/eval.
    const cm = [
      [0, 0],
      [0, 0],
    ];
    for (const rel of IMAGES) {
      const png = rel.replace(/\.(jpg|png)$/, '.png');
      const lab = await sharp(join(tmp.dir, 'data', 'labels', png))
        .raw()
        .toBuffer({ resolveWithObject: true });
      const pred = await sharp(join(tmp.dir, 's7', png))
        .raw()
        .toBuffer({ resolveWithObject: true });
      // The mask is a palette PNG: sharp expands it to RGB; the class is the colour's index in PaddleSeg's map (0 black, 1 dark red).
      for (let k = 0; k < lab.info.width * lab.info.height; k++) {
        const v = lab.data[k * lab.info.channels]!;
        if (v === 255) continue;
        const red = pred.data[k * pred.info.channels]!;
        cm[v]![red === 0 ? 0 : 1]!++;
      }
    }
    expect(union.confusionMatrix).toEqual(cm);
  }, 120_000);

  it('a shard killed with SIGKILL reruns with --skip-existing and redoes only what is missing', async () => {
    const want = await tree(join(tmp.dir, 'full'));
    const out = join(tmp.dir, 'killed');
    const args = [
      'predict',
      '--model',
      'freeze_model',
      '--list',
      'list.txt',
      '--data-dir',
      'data',
      '--threads',
      '1',
    ];
    const child = spawn(process.execPath, [BIN, ...args, '--output', 'killed', '--skip-existing'], {
      cwd: tmp.dir,
      env: { ...process.env, CI: '1', JOB_COMPLETION_INDEX: '0', PDSEG_SHARDS: '1' },
      stdio: 'ignore',
    });
    // Kill as soon as the first mask is there (bounded wait).
    for (let t = 0; t < 600; t++) {
      const some = await tree(out).catch(() => new Map());
      if (some.size >= 1) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    // Masks complete at the kill (a half-written one is still a hidden temp file).
    const before = new Map([...(await tree(out))].filter(([k]) => !k.includes('.tmp-')));
    expect(before.size).toBeGreaterThanOrEqual(1);
    // Killed mid-run: some masks there, not all.
    expect(before.size).toBeLessThan(IMAGES.length);
    const r = await predict(['--output', 'killed', '--skip-existing'], {
      JOB_COMPLETION_INDEX: '0',
      PDSEG_SHARDS: '1',
    });
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(
      await readFile(join(out, '.pdseg', 'shard-0-of-1.json'), 'utf8'),
    ) as ShardSummary;
    expect(summary.skipped).toBe(before.size);
    expect(summary.written).toBe(IMAGES.length - before.size);
    const got = await tree(out);
    for (const [k, v] of want) expect(Buffer.compare(got.get(k)!, v), k).toBe(0);
    // Nothing half-written is left behind.
    expect([...got.keys()].filter((k) => k.includes('.tmp-'))).toEqual([]);
    expect((await stat(out)).isDirectory()).toBe(true);
  }, 120_000);

  it('a bad image exits 3 (do not retry) with the failure in the summary', async () => {
    await writeFile(join(tmp.dir, 'data', 'broken.png'), 'not an image');
    await writeFile(join(tmp.dir, 'bad-list.txt'), 'w1.jpg\nbroken.png\n');
    const r = await runCli(
      [
        'predict',
        '--model',
        'freeze_model',
        '--list',
        'bad-list.txt',
        '--data-dir',
        'data',
        '--output',
        'bad',
        '--shard',
        '0/1',
      ],
      { cwd: tmp.dir },
    );
    expect(r.code).toBe(3);
    const s = JSON.parse(
      await readFile(join(tmp.dir, 'bad', '.pdseg', 'shard-0-of-1.json'), 'utf8'),
    ) as ShardSummary;
    expect(s.written).toBe(1);
    expect(s.failures.map((f) => [f.input.endsWith('broken.png'), f.kind])).toEqual([[true, 'input']]);
  }, 60_000);
});

describe('pdseg job', () => {
  it('writes an Indexed Job that round-trips through @kubernetes/client-node and maps the exit codes', async () => {
    const r = await runCli([
      'job',
      '--name',
      'fundus-seg',
      '--image',
      'registry.example/pdseg:1',
      '--shards',
      '7',
      '--parallelism',
      '3',
      '--model',
      '/model/model.onnx',
      '--list',
      '/data/all.txt',
      '--data-dir',
      '/data',
      '--output',
      '/out',
      '--volume',
      'fundus-data:/data:ro',
      'models:/model:ro',
      'seg-out:/out',
      '--memory',
      '4Gi',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const job = loadYaml<V1Job>(r.stdout);
    expect(job.constructor.name).toBe('V1Job');
    // The client's models drop fields they do not know: a round trip gives the same object
    // back only if every field is one of theirs.
    expect(load(dumpYaml(job))).toEqual(load(r.stdout));
    expect(job.spec?.completionMode).toBe('Indexed');
    expect([job.spec?.completions, job.spec?.parallelism, job.spec?.backoffLimitPerIndex]).toEqual([7, 3, 3]);
    expect(job.spec?.podFailurePolicy?.rules[0]).toMatchObject({
      action: 'FailIndex',
      onExitCodes: { operator: 'In', values: [2, 3] },
    });
    const pod = job.spec!.template.spec!;
    expect(pod.restartPolicy).toBe('Never');
    const c = pod.containers[0]!;
    expect(c.args).toEqual(
      expect.arrayContaining(['--shards', '7', '--skip-existing', '--data-dir', '/data']),
    );
    expect(c.volumeMounts?.map((m) => [m.mountPath, m.readOnly])).toEqual([
      ['/data', true],
      ['/model', true],
      ['/out', false],
    ]);
    expect(pod.volumes?.map((v) => v.persistentVolumeClaim?.claimName)).toEqual([
      'fundus-data',
      'models',
      'seg-out',
    ]);
  });

  it('refuses a bad name and a bad volume, naming them', async () => {
    const base = [
      'job',
      '--image',
      'i',
      '--shards',
      '2',
      '--model',
      '/m',
      '--list',
      '/l',
      '--data-dir',
      '/d',
      '--output',
      '/o',
    ];
    const a = await runCli([...base, '--name', 'Bad_Name']);
    expect(a.code).toBe(2);
    expect(a.stderr).toContain('--name "Bad_Name" must be a DNS label');
    const b = await runCli([...base, '--name', 'ok', '--volume', 'data']);
    expect(b.code).toBe(2);
    expect(b.stderr).toContain('--volume "data" must be CLAIM:/mount/path');
  });
});
