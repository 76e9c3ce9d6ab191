import { existsSync, linkSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type DownloadSummary, downloadItems } from '../../src/download/index.js';
import { PdsegError } from '../../src/errors.js';
import {
  listAll,
  modelTgz,
  opticZip,
  paddleParameterFiles,
  readTree,
  tarArchive,
  writeTree,
} from './fixtures.js';
import { useDownloadSandbox } from './server.js';
import { makeZip } from './zip-writer.js';

const sandbox = useDownloadSandbox('pdseg-dlarc-');

const root = () => sandbox.root();

/** Serves `body` at the registry path of `name` and downloads it. */
async function fetchAs(name: string, path: string, body: Buffer): Promise<DownloadSummary> {
  sandbox.server.routes.set(path, { body });
  return downloadItems([name], { root: root(), mirror: sandbox.server.origin, retryDelaysMs: [] });
}

function expectFailed(summary: DownloadSummary, code: string, phrase: string | RegExp): void {
  expect(summary.failed).toBe(1);
  const error = summary.items[0].error;
  expect(error).toBeInstanceOf(PdsegError);
  expect(error?.code).toBe(code);
  expect(error?.message).toMatch(phrase);
}

/** The folder beside the target is empty: no target, no temp folder, no .part, no archive. */
function expectNothingLeft(folder: 'pretrained_model' | 'dataset'): void {
  expect(readdirSync(join(root(), folder))).toEqual([]);
}

/** Builds a tar in a scratch folder: `setup(dir)` makes the tree, `args` are tar's create args. */
function craftTar(label: string, setup: (dir: string) => void, args: string[]): Buffer {
  const dir = join(sandbox.dir, `craft-${label}`);
  mkdirSync(dir, { recursive: true });
  setup(dir);
  return tarArchive(dir, join(sandbox.dir, `${label}.tar`), ['-c', ...args]);
}

const TAR_NAME = 'fast_scnn_cityscapes';
const TAR_PATH = '/models/fast_scnn_cityscape.tar';

describe('archive kinds and layout', () => {
  it('extracts a plain .tar and a .tar.gz and renames the top folder (spec §3.2)', async () => {
    const tar = craftTar('plain', (d) => writeTree(join(d, 'fast_scnn_cityscape'), paddleParameterFiles()), [
      'fast_scnn_cityscape',
    ]);
    expect((await fetchAs(TAR_NAME, TAR_PATH, tar)).downloaded).toBe(1);
    const tree = readTree(join(root(), 'pretrained_model', TAR_NAME));
    expect(
      tree.get('psp1/BatchNorm/beta')?.equals(paddleParameterFiles().get('psp1/BatchNorm/beta') as Buffer),
    ).toBe(true);
    const tgz = modelTgz(sandbox.dir, 'icnet_cityscapes');
    expect((await fetchAs('icnet_bn_cityscapes', '/models/icnet_cityscapes.tar.gz', tgz)).downloaded).toBe(1);
    expect(readTree(join(root(), 'pretrained_model', 'icnet_bn_cityscapes')).has('logit/biases')).toBe(true);
  });
});

describe('corrupt archives', () => {
  it('rejects a truncated gzip and leaves nothing', async () => {
    const tgz = modelTgz(sandbox.dir, 'pspnet50_cityscapes');
    const summary = await fetchAs(
      'pspnet50_bn_cityscapes',
      '/models/pspnet50_cityscapes.tgz',
      tgz.subarray(0, Math.floor(tgz.length * 0.6)),
    );
    expectFailed(summary, 'ARCHIVE_CORRUPT', /'pspnet50_cityscapes\.tgz' is corrupt or truncated/);
    expectNothingLeft('pretrained_model');
  });

  it('rejects a zip without a central directory and leaves nothing', async () => {
    const zip = opticZip();
    const summary = await fetchAs(
      'optic_disc_seg',
      '/dataset/optic_disc_seg.zip',
      zip.subarray(0, zip.length - 200),
    );
    expectFailed(summary, 'ARCHIVE_CORRUPT', /'optic_disc_seg\.zip' is corrupt/);
    expectNothingLeft('dataset');
  });

  it('rejects a zip entry whose CRC-32 does not match', async () => {
    const zip = makeZip([
      { name: 'optic_disc_seg/', type: 'dir' },
      { name: 'optic_disc_seg/train_list.txt', data: 'a b\n', crcOverride: 12345 },
    ]);
    const summary = await fetchAs('optic_disc_seg', '/dataset/optic_disc_seg.zip', zip);
    expectFailed(summary, 'ARCHIVE_CORRUPT', /CRC-32 mismatch in entry 'optic_disc_seg\/train_list\.txt'/);
    expectNothingLeft('dataset');
  });
});

describe('unsafe archives', () => {
  const zipCase = async (entries: Parameters<typeof makeZip>[0], phrase: RegExp) => {
    const summary = await fetchAs('optic_disc_seg', '/dataset/optic_disc_seg.zip', makeZip(entries));
    expectFailed(summary, 'ARCHIVE_UNSAFE', phrase);
    expectNothingLeft('dataset');
    expect(listAll(sandbox.dir).filter((p) => p.includes('evil'))).toEqual([]);
  };

  it('rejects zip-slip (../evil) before writing anything', () =>
    zipCase(
      [
        { name: 'optic_disc_seg/a.txt', data: 'fine' },
        { name: '../evil', data: 'x' },
      ],
      /entry '\.\.\/evil' contains a '\.\.' component/,
    ));

  it('rejects an absolute path in a zip', () =>
    zipCase([{ name: `${sandbox.dir}/evil`, data: 'x' }], /has an absolute path/));

  it('rejects a zip symlink pointing outside', () =>
    zipCase(
      [
        { name: 'optic_disc_seg/', type: 'dir' },
        { name: 'optic_disc_seg/evil', type: 'symlink', data: '../../..' },
      ],
      /entry 'optic_disc_seg\/evil' is a symlink pointing outside/,
    ));

  const tarCase = async (tar: Buffer, phrase: RegExp) => {
    const summary = await fetchAs(TAR_NAME, TAR_PATH, tar);
    expectFailed(summary, 'ARCHIVE_UNSAFE', phrase);
    expectNothingLeft('pretrained_model');
    expect(existsSync(join(root(), 'evil.txt'))).toBe(false);
  };

  it('rejects a tar entry with ../', async () => {
    const dir = join(sandbox.dir, 'craft-dotdot');
    mkdirSync(join(dir, 'inner'), { recursive: true });
    writeFileSync(join(dir, 'evil.txt'), 'x');
    // Run from inside craft-dotdot/inner so the stored name really is ../evil.txt.
    const tar = tarArchive(join(dir, 'inner'), join(sandbox.dir, 'dotdot.tar'), ['-c', '-P', '../evil.txt']);
    await tarCase(tar, /entry '\.\.\/evil\.txt' contains a '\.\.' component/);
  });

  it('rejects an absolute tar entry', async () => {
    const abs = join(sandbox.dir, 'craft-abs', 'evil.txt');
    const tar = craftTar('abs', (d) => writeFileSync(join(d, 'evil.txt'), 'x'), ['-P', abs]);
    await tarCase(tar, /has an absolute path/);
  });

  it('rejects a tar symlink escaping the target', async () => {
    const tar = craftTar(
      'symlink',
      (d) => {
        writeTree(join(d, 'fast_scnn_cityscape'), new Map([['a', 'x']]));
        symlinkSync('../../../etc', join(d, 'fast_scnn_cityscape', 'evil'));
      },
      ['fast_scnn_cityscape'],
    );
    await tarCase(tar, /entry 'fast_scnn_cityscape\/evil' is a symlink pointing outside/);
  });

  it('rejects a hard link in a tar', async () => {
    const tar = craftTar(
      'hardlink',
      (d) => {
        writeTree(join(d, 'fast_scnn_cityscape'), new Map([['a', 'x']]));
        linkSync(join(d, 'fast_scnn_cityscape', 'a'), join(d, 'fast_scnn_cityscape', 'b'));
      },
      ['fast_scnn_cityscape'],
    );
    await tarCase(tar, /entry 'fast_scnn_cityscape\/[ab]' is a hard link \(to 'fast_scnn_cityscape\/[ab]'\)/);
  });

  it('rejects an entry written through a symlink entry', async () => {
    const tar = craftTar(
      'through',
      (d) => {
        mkdirSync(join(d, 'fast_scnn_cityscape'));
        symlinkSync('.', join(d, 'fast_scnn_cityscape', 'loop'));
        mkdirSync(join(d, 'real'));
        writeFileSync(join(d, 'real', 'f'), 'x');
      },
      ['fast_scnn_cityscape', '--transform=s,^real,fast_scnn_cityscape/loop,', 'real/f'],
    );
    await tarCase(tar, /entry 'fast_scnn_cityscape\/loop\/f' goes through the symlink entry/);
  });
});

describe('target checks', () => {
  it('refuses a target path that is a file', async () => {
    mkdirSync(join(root(), 'pretrained_model'), { recursive: true });
    writeFileSync(join(root(), 'pretrained_model', TAR_NAME), 'not a folder');
    const summary = await fetchAs(TAR_NAME, TAR_PATH, Buffer.from('unused'));
    expectFailed(summary, 'DOWNLOAD_TARGET_EXISTS', /exists and is not a folder/);
    expect(sandbox.server.requests).toEqual([]);
  });
});
