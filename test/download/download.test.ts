import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { downloadItems, listItems, MANIFEST_NAME } from '../../src/download/index.js';
import { buildRegistry, type RegistryEntry } from '../../src/download/registry.js';
import { PdsegError } from '../../src/errors.js';
import type { PdsegEvent } from '../../src/events.js';
import {
  listAll,
  modelTgz,
  opticFiles,
  opticZip,
  paddleParameterFiles,
  readTree,
  tarArchive,
  writeTree,
} from './fixtures.js';
import { useDownloadSandbox } from './server.js';

const sandbox = useDownloadSandbox('pdseg-dl-');

const root = () => sandbox.root();

describe('downloadItems', () => {
  it('installs a model .tgz as pretrained_model/<name>/ with every parameter file (spec §3.2)', async () => {
    const tgz = modelTgz(sandbox.dir, 'pspnet50_cityscapes');
    sandbox.server.routes.set('/models/pspnet50_cityscapes.tgz', { body: tgz });
    const events: PdsegEvent[] = [];
    const summary = await downloadItems(['pspnet50_bn_cityscapes'], {
      root: root(),
      mirror: sandbox.server.origin,
      onEvent: (e) => events.push(e),
    });
    expect(summary.failed).toBe(0);
    expect(summary.downloaded).toBe(1);
    const target = join(root(), 'pretrained_model', 'pspnet50_bn_cityscapes');
    const tree = readTree(target);
    const expected = paddleParameterFiles();
    for (const [rel, data] of expected) expect(tree.get(rel)?.equals(data), rel).toBe(true);
    expect([...tree.keys()].sort()).toEqual([...expected.keys(), MANIFEST_NAME].sort());
    // Nothing else is left beside the target: no archive, no .part, no temp folder.
    expect(listAll(join(root(), 'pretrained_model'))).toEqual(
      [
        'pspnet50_bn_cityscapes',
        ...[...tree.keys()].map((k) => `pspnet50_bn_cityscapes/${k}`),
        'pspnet50_bn_cityscapes/logit',
        'pspnet50_bn_cityscapes/psp1',
        'pspnet50_bn_cityscapes/psp1/BatchNorm',
        'pspnet50_bn_cityscapes/psp_end',
      ].sort(),
    );
    const manifest = JSON.parse(readFileSync(join(target, MANIFEST_NAME), 'utf8'));
    expect(manifest.size).toBe(tgz.length);
    expect(manifest.sha256).toBe(createHash('sha256').update(tgz).digest('hex'));
    expect(manifest.url).toBe(`${sandbox.server.origin}/models/pspnet50_cityscapes.tgz`);
    const progress = events.filter((e) => e.type === 'progress');
    expect(progress.length).toBeGreaterThan(0);
    const last = progress[progress.length - 1];
    expect(last.type === 'progress' && last.done === tgz.length && last.total === tgz.length).toBe(true);
  });

  it('installs the optic_disc_seg zip under its alias into dataset/optic_disc_seg/', async () => {
    sandbox.server.routes.set('/dataset/optic_disc_seg.zip', { body: opticZip() });
    const summary = await downloadItems(['optic'], { root: root(), mirror: sandbox.server.origin });
    expect(summary.items.map((i) => i.status)).toEqual(['downloaded']);
    const tree = readTree(join(root(), 'dataset', 'optic_disc_seg'));
    for (const [rel, data] of opticFiles()) expect(tree.get(rel)?.equals(Buffer.from(data)), rel).toBe(true);
    expect(tree.get('train_list.txt')?.toString()).toBe('JPEGImages/H0002.jpg Annotations/H0002.png\n');
    expect(listAll(join(root(), 'dataset'))[0]).toBe('optic_disc_seg');
    expect(listAll(join(root(), 'dataset')).filter((p) => !p.startsWith('optic_disc_seg'))).toEqual([]);
  });

  it('skips a present target without a request, and --force replaces it', async () => {
    const target = join(root(), 'pretrained_model', 'pspnet50_bn_cityscapes');
    mkdirSync(target, { recursive: true });
    writeFileSync(join(target, 'old_file'), 'old');
    sandbox.server.routes.set('/models/pspnet50_cityscapes.tgz', {
      body: modelTgz(sandbox.dir, 'pspnet50_cityscapes'),
    });
    const events: PdsegEvent[] = [];
    const first = await downloadItems(['pspnet50_bn_cityscapes'], {
      root: root(),
      mirror: sandbox.server.origin,
      onEvent: (e) => events.push(e),
    });
    expect(first.items[0].status).toBe('skipped');
    expect(sandbox.server.requests).toEqual([]);
    expect(events.some((e) => e.type === 'info' && e.message.includes('already present'))).toBe(true);
    expect(readFileSync(join(target, 'old_file'), 'utf8')).toBe('old');

    const forced = await downloadItems(['pspnet50_bn_cityscapes'], {
      root: root(),
      mirror: sandbox.server.origin,
      force: true,
    });
    expect(forced.items[0].status).toBe('downloaded');
    const tree = readTree(target);
    expect(tree.has('old_file')).toBe(false);
    expect(
      tree.get('psp1/BatchNorm/gamma')?.equals(paddleParameterFiles().get('psp1/BatchNorm/gamma') as Buffer),
    ).toBe(true);
    expect(
      listAll(join(root(), 'pretrained_model')).filter((p) => !p.startsWith('pspnet50_bn_cityscapes')),
    ).toEqual([]);
  });

  it('downloads several names in turn and reports each in one summary', async () => {
    sandbox.server.routes.set('/dataset/optic_disc_seg.zip', { body: opticZip() });
    const summary = await downloadItems(['optic', 'pspnet50_bn_cityscapes', 'optic_disc_seg'], {
      root: root(),
      mirror: sandbox.server.origin,
      retryDelaysMs: [],
    });
    expect(summary.items.map((i) => [i.entry.name, i.status])).toEqual([
      ['optic_disc_seg', 'downloaded'],
      ['pspnet50_bn_cityscapes', 'failed'],
    ]);
    expect(summary.failed).toBe(1);
    expect(summary.items[1].error?.code).toBe('DOWNLOAD_HTTP');
    expect(summary.items[1].error?.message).toContain('HTTP 404');
  });

  it('lists every entry with its mirrored URL and whether it is present', async () => {
    mkdirSync(join(root(), 'dataset', 'optic_disc_seg'), { recursive: true });
    const rows = listItems({ root: root(), mirror: 'http://127.0.0.1:9' });
    expect(rows).toHaveLength(39);
    const optic = rows.find((r) => r.entry.name === 'optic_disc_seg');
    expect(optic?.present).toBe(true);
    expect(optic?.url).toBe('http://127.0.0.1:9/dataset/optic_disc_seg.zip');
    expect(rows.find((r) => r.entry.name === 'cityscapes')?.present).toBe(false);
  });

  const entry = (sha256?: string): RegistryEntry => ({
    name: 'm',
    kind: 'model',
    url: `${sandbox.server.origin}/m.tgz`,
    folder: 'pretrained_model/m',
    aliases: [],
    sha256,
  });

  it('verifies a known SHA-256 and rejects a mismatch, leaving nothing', async () => {
    const tgz = modelTgz(sandbox.dir, 'm_top');
    sandbox.server.routes.set('/m.tgz', { body: tgz });
    const bad = await downloadItems(['m'], {
      root: root(),
      registry: buildRegistry([entry('0'.repeat(64))]),
    });
    expect(bad.items[0].error).toBeInstanceOf(PdsegError);
    expect(bad.items[0].error?.code).toBe('DOWNLOAD_CHECKSUM');
    expect(bad.items[0].error?.message).toContain(`does not match the registry's ${'0'.repeat(64)}`);
    expect(listAll(join(root(), 'pretrained_model'))).toEqual([]);
    const good = createHash('sha256').update(tgz).digest('hex');
    const ok = await downloadItems(['m'], { root: root(), registry: buildRegistry([entry(good)]) });
    expect(ok.items[0].status).toBe('downloaded');
    expect(readTree(join(root(), 'pretrained_model', 'm')).has('logit/weights')).toBe(true);
  });

  it('keeps every member when the archive has no single top folder', async () => {
    const src = join(sandbox.dir, 'flat');
    writeTree(
      src,
      new Map([
        ['a.txt', 'A'],
        ['b/c.txt', 'C'],
      ]),
    );
    sandbox.server.routes.set('/m.tgz', {
      body: tarArchive(src, join(sandbox.dir, 'flat.tgz'), ['-cz', 'a.txt', 'b']),
    });
    const summary = await downloadItems(['m'], { root: root(), registry: buildRegistry([entry()]) });
    expect(summary.items[0].status).toBe('downloaded');
    const tree = readTree(join(root(), 'pretrained_model', 'm'));
    expect([...tree.keys()].sort()).toEqual([MANIFEST_NAME, 'a.txt', 'b/c.txt']);
  });
});
