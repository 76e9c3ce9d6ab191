import { mkdirSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { extractTar, listTar, unescapeTarName } from '../../src/download/extract-tar.js';
import { extractZip } from '../../src/download/extract-zip.js';
import { tempDir } from '../helpers.js';
import { readTree, tarArchive } from './fixtures.js';
import { makeZip } from './zip-writer.js';

let work: { dir: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  work = await tempDir('pdseg-extract-');
});
afterEach(() => work.cleanup());

describe('tar listing', () => {
  it('reads names with spaces, arrows, newlines and non-ASCII exactly, with link targets', async () => {
    const src = join(work.dir, 'src');
    const names = ['top/a b -> c', 'top/line\nbreak', 'top/ünï'];
    mkdirSync(join(src, 'top'), { recursive: true });
    for (const n of names) writeFileSync(join(src, n), n);
    symlinkSync('a b -> c', join(src, 'top', 'link'));
    const tar = join(work.dir, 'x.tar');
    tarArchive(src, tar, ['-c', 'top']);
    const members = await listTar(tar);
    expect(members.map((m) => [m.name, m.type, m.linkTarget]).sort()).toEqual(
      [
        ['top/', 'd', undefined],
        ['top/a b -> c', '-', undefined],
        ['top/line\nbreak', '-', undefined],
        ['top/link', 'l', 'a b -> c'],
        ['top/ünï', '-', undefined],
      ].sort(),
    );
    const dest = join(work.dir, 'dest');
    mkdirSync(dest);
    expect(await extractTar(tar, dest)).toBe(5);
    const tree = readTree(join(dest, 'top'));
    for (const n of names) expect(tree.get(n.slice(4))?.toString()).toBe(n);
    expect(readlinkSync(join(dest, 'top', 'link'))).toBe('a b -> c');
  });

  it('undoes GNU escape quoting', () => {
    expect(unescapeTarName('a\\\\b\\nc\\303\\274')).toBe('a\\b\ncü');
  });
});

describe('zip extraction', () => {
  it('extracts stored and deflated entries and an inside symlink', async () => {
    const zip = join(work.dir, 'x.zip');
    writeFileSync(
      zip,
      makeZip([
        { name: 'd/', type: 'dir' },
        { name: 'd/s.txt', data: 'stored' },
        { name: 'd/sub/z.txt', data: 'deflated '.repeat(100), method: 'deflate' },
        { name: 'd/link', type: 'symlink', data: 'sub/z.txt' },
      ]),
    );
    const dest = join(work.dir, 'dest');
    mkdirSync(dest);
    expect(await extractZip(zip, dest)).toBe(4);
    const tree = readTree(dest);
    expect(tree.get('d/s.txt')?.toString()).toBe('stored');
    expect(tree.get('d/sub/z.txt')?.toString()).toBe('deflated '.repeat(100));
    expect(readlinkSync(join(dest, 'd', 'link'))).toBe('sub/z.txt');
  });
});
