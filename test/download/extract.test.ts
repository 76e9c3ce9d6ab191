import { execFileSync, spawn, spawnSync } from 'node:child_process';
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

describe('symlink chains (each link inside on its own, the chain outside)', () => {
  it('tar: d/l1 -> .. and d/l2 -> l1/../.. are refused', async () => {
    const src = join(work.dir, 'chain-src');
    mkdirSync(join(src, 'd'), { recursive: true });
    symlinkSync('..', join(src, 'd', 'l1'));
    symlinkSync('l1/../..', join(src, 'd', 'l2'));
    const tar = join(work.dir, 'chain.tar');
    tarArchive(src, tar, ['-c', 'd']);
    const dest = join(work.dir, 'chain-dest');
    mkdirSync(dest);
    await expect(extractTar(tar, dest)).rejects.toThrow(
      /entry 'd\/l2' is a symlink that, through other links, resolves outside the target/,
    );
  });

  it('zip: the same chain is refused', async () => {
    const zip = join(work.dir, 'chain.zip');
    writeFileSync(
      zip,
      makeZip([
        { name: 'd/', type: 'dir' },
        { name: 'd/l1', type: 'symlink', data: '..' },
        { name: 'd/l2', type: 'symlink', data: 'l1/../..' },
      ]),
    );
    const dest = join(work.dir, 'chain-zip-dest');
    mkdirSync(dest);
    await expect(extractZip(zip, dest)).rejects.toThrow(/resolves outside the target/);
  });

  it('a chain that stays inside is extracted', async () => {
    const zip = join(work.dir, 'inside.zip');
    writeFileSync(
      zip,
      makeZip([
        { name: 'd/sub/f.txt', data: 'x' },
        { name: 'd/l1', type: 'symlink', data: 'sub' },
        { name: 'd/l2', type: 'symlink', data: 'l1/f.txt' },
      ]),
    );
    const dest = join(work.dir, 'inside-dest');
    mkdirSync(dest);
    await extractZip(zip, dest);
    expect(readlinkSync(join(dest, 'd', 'l2'))).toBe('l1/f.txt');
  });
});

describe('expansion limit (archive bombs)', () => {
  it('tar.gz: 20 MB of zeros in ~20 kB is refused before extraction, unless the ratio is raised', async () => {
    const src = join(work.dir, 'bomb-src');
    mkdirSync(join(src, 'top'), { recursive: true });
    writeFileSync(join(src, 'top', 'zeros.bin'), Buffer.alloc(20 * 1024 * 1024));
    const tgz = join(work.dir, 'bomb.tgz');
    tarArchive(src, tgz, ['-cz', 'top']);
    const dest = join(work.dir, 'bomb-dest');
    mkdirSync(dest);
    await expect(extractTar(tgz, dest)).rejects.toThrow(
      /would expand to 20971520 bytes, \d+× its size, over the 100× limit/,
    );
    expect(readTree(dest).size).toBe(0);
    await expect(extractTar(tgz, dest, 'bomb.tgz', { maxBytes: 1024 * 1024 })).rejects.toThrow(
      /over the 1048576-byte limit/,
    );
    expect(await extractTar(tgz, dest, 'bomb.tgz', { maxRatio: 100_000 })).toBe(2);
  });

  it('zip: the central directory sizes are checked first', async () => {
    const zip = join(work.dir, 'bomb.zip');
    writeFileSync(zip, makeZip([{ name: 'z.bin', data: '\0'.repeat(4 * 1024 * 1024), method: 'deflate' }]));
    const dest = join(work.dir, 'bomb-zip-dest');
    mkdirSync(dest);
    await expect(extractZip(zip, dest)).rejects.toThrow(/over the 100× limit \(an archive bomb\?\)/);
    expect(readTree(dest).size).toBe(0);
  });
});

describe('signals during extraction', () => {
  it('SIGINT kills the running tar and the process still ends by the signal', async () => {
    const fifo = join(work.dir, 'never.tar');
    execFileSync('mkfifo', [fifo]);
    const script = join(work.dir, 'extract.mjs');
    const mod = new URL('../../dist/download/extract-tar.js', import.meta.url).href;
    writeFileSync(
      script,
      `const { listTar } = await import(${JSON.stringify(mod)}); await listTar(${JSON.stringify(fifo)}); console.log('listed');\n`,
    );
    const child = spawn(process.execPath, [script], { stdio: 'ignore' });
    // tar blocks opening the FIFO: wait until it runs, then interrupt node.
    let tarPid = '';
    for (let i = 0; i < 100 && !tarPid; i++) {
      await new Promise((r) => setTimeout(r, 50));
      tarPid = spawnSync('pgrep', ['-P', String(child.pid), 'tar'], { encoding: 'utf8' }).stdout.trim();
    }
    expect(tarPid, 'tar started').not.toBe('');
    const ended = new Promise<NodeJS.Signals | null>((r) => child.on('exit', (_c, sig) => r(sig)));
    child.kill('SIGINT');
    expect(await ended).toBe('SIGINT');
    expect(spawnSync('kill', ['-0', tarPid]).status, 'tar is gone').not.toBe(0);
  });
});
