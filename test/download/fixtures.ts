/**
 * Archive fixtures shaped like PaddleSeg's real downloads (spec §3.1–§3.3), generated at
 * test time: a `.tgz` made by the system `tar` whose top folder holds Paddle-style
 * per-parameter files (names with `/` → sub-folders), and an `optic_disc_seg`-shaped zip.
 */
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { makeZip, type ZipEntrySpec } from './zip-writer.js';

/** Deterministic, incompressible bytes (xorshift32), so sizes survive gzip. */
export function pseudoRandomBytes(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

/** Paddle per-parameter files (spec §3.2 format (b)): relative path → content. */
export function paddleParameterFiles(): Map<string, Buffer> {
  const names = [
    'conv1_1_3_3_weights',
    'conv1_1_3_3_bn_scale',
    'res2a_branch2a_weights',
    'psp1/BatchNorm/gamma',
    'psp1/BatchNorm/beta',
    'psp_end/weights',
    'logit/weights',
    'logit/biases',
  ];
  return new Map(names.map((n, i) => [n, pseudoRandomBytes(i === 0 ? 256 * 1024 : 1000 + 37 * i, i + 1)]));
}

/** Writes `files` under `dir`, creating sub-folders. */
export function writeTree(dir: string, files: Map<string, Buffer | string>): void {
  for (const [rel, data] of files) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), data);
  }
}

/** Every regular file under `dir` (relative `/` paths) → content. */
export function readTree(dir: string, rel = ''): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const name of readdirSync(join(dir, rel))) {
    const r = rel === '' ? name : `${rel}/${name}`;
    if (statSync(join(dir, r)).isDirectory()) {
      for (const [k, v] of readTree(dir, r)) out.set(k, v);
    } else out.set(r, readFileSync(join(dir, r)));
  }
  return out;
}

/** Runs the system `tar` with `args` in `cwd` and returns the archive it wrote to `out`. */
export function tarArchive(cwd: string, out: string, args: string[]): Buffer {
  execFileSync('tar', ['-f', out, ...args], { cwd, stdio: 'pipe' });
  return readFileSync(out);
}

/**
 * `<top>.tgz` shaped like a model-zoo archive: one top folder with Paddle parameter files.
 * `work` is a scratch folder.
 */
export function modelTgz(work: string, top: string, files = paddleParameterFiles()): Buffer {
  const src = join(work, `src-${top}`);
  writeTree(join(src, top), files);
  return tarArchive(src, join(work, `${top}.tgz`), ['-cz', top]);
}

/** The files of an `optic_disc_seg`-shaped dataset (spec §3.3). */
export function opticFiles(): Map<string, Buffer | string> {
  const files = new Map<string, Buffer | string>();
  const ids = ['H0002', 'H0005', 'N0010'];
  for (const [i, id] of ids.entries()) {
    files.set(`JPEGImages/${id}.jpg`, pseudoRandomBytes(3000 + i, 100 + i));
    files.set(`Annotations/${id}.png`, pseudoRandomBytes(500 + i, 200 + i));
  }
  const line = (id: string) => `JPEGImages/${id}.jpg Annotations/${id}.png\n`;
  files.set('train_list.txt', line('H0002'));
  files.set('val_list.txt', line('H0005'));
  files.set('test_list.txt', line('N0010'));
  return files;
}

/** `optic_disc_seg.zip`: folder entries first, deflated and stored files. */
export function opticZip(files = opticFiles()): Buffer {
  const entries: ZipEntrySpec[] = [
    { name: 'optic_disc_seg/', type: 'dir' },
    { name: 'optic_disc_seg/JPEGImages/', type: 'dir' },
    { name: 'optic_disc_seg/Annotations/', type: 'dir' },
  ];
  let i = 0;
  for (const [rel, data] of files) {
    entries.push({ name: `optic_disc_seg/${rel}`, data, method: i++ % 2 === 0 ? 'deflate' : 'store' });
  }
  return makeZip(entries);
}

/** Relative paths of everything under `dir` (files, folders, links), sorted. */
export function listAll(dir: string, rel = ''): string[] {
  const out: string[] = [];
  let names: string[];
  try {
    names = readdirSync(join(dir, rel));
  } catch {
    return out;
  }
  for (const name of names) {
    const r = rel === '' ? name : `${rel}/${name}`;
    out.push(r);
    if (lstatSync(join(dir, r)).isDirectory()) out.push(...listAll(dir, r));
  }
  return out.sort();
}
