/**
 * Which images predict reads and where each result goes (spec §7.2): folders (sorted by
 * name, deterministic; sub-folders with `recursive`), single files, or a PaddleSeg list
 * file whose first field is an image path relative to `DATASET.DATA_DIR`. Each output is
 * `<basename without extension>.png`; two inputs with the same output name are an error
 * before anything runs (PaddleSeg silently overwrites), and no output may be an input.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, extname, isAbsolute, join, relative, resolve } from 'node:path';
import { messageOf, PdsegError } from '../errors.js';

/** File extensions predict accepts in folders (lower case, without the dot). */
export const IMAGE_EXTENSIONS: readonly string[] = ['jpg', 'jpeg', 'png', 'bmp', 'tif', 'tiff', 'webp'];

/** One image to segment and its outputs. */
export interface PredictItem {
  /** Absolute path of the image. */
  input: string;
  /** Absolute path of the label PNG. */
  output: string;
  /** Absolute path of the blend JPEG (used with `--blend`). */
  blend: string;
}

/** Options of {@link collectInputs}. */
export interface CollectOptions {
  /** Files and folders (`--input`). */
  inputs?: readonly string[];
  /** A PaddleSeg list file (`--list`). */
  list?: string;
  /** Root of list entries (`DATASET.DATA_DIR`). */
  dataDir?: string;
  /** Field separator of list lines (`DATASET.SEPARATOR`). */
  separator?: string;
  /** Descend into sub-folders. */
  recursive?: boolean;
  /** Output folder (`--output`, default `visual`). */
  outputDir: string;
  /** Folder relative paths are resolved against (default cwd). */
  cwd?: string;
  /**
   * Outputs keep each input's folders relative to its root (the `--input` folder, or
   * DATA_DIR for list entries): `a/b/x.jpg` → `<output>/a/b/x.png`. Default: basenames,
   * as vis.py writes them.
   */
  keepFolders?: boolean;
}

function isImageName(name: string): boolean {
  return IMAGE_EXTENSIONS.includes(extname(name).slice(1).toLowerCase());
}

/** Compares names by UTF-16 code units (deterministic, locale-independent). */
function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

async function walk(dir: string, recursive: boolean, out: string[]): Promise<void> {
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => byName(a.name, b.name));
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (recursive) await walk(p, recursive, out);
    } else if (isImageName(e.name)) {
      out.push(p);
    }
  }
}

/** Image paths of a list file: the first field of every non-blank line, under `dataDir`. */
export async function readListImages(
  listFile: string,
  dataDir: string,
  separator: string,
): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(listFile, 'utf8');
  } catch (e) {
    throw new PdsegError('DATASET', `cannot read list file "${listFile}": ${messageOf(e)}`, { cause: e });
  }
  const out: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    out.push(join(dataDir, line.split(separator)[0] as string));
  }
  return out;
}

/** Resolves the inputs to a list of {@link PredictItem}s, checking output-name conflicts. */
export async function collectInputs(o: CollectOptions): Promise<PredictItem[]> {
  const cwd = o.cwd ?? process.cwd();
  const files: string[] = [];
  /** Each file's root, for {@link CollectOptions.keepFolders}. */
  const roots = new Map<string, string>();
  for (const given of o.inputs ?? []) {
    const p = resolve(cwd, given);
    let s: Awaited<ReturnType<typeof stat>>;
    try {
      s = await stat(p);
    } catch (e) {
      throw new PdsegError(
        'USAGE',
        `input "${given}" does not exist; pass image files or folders with --input`,
        {
          cause: e,
        },
      );
    }
    if (s.isDirectory()) {
      const before = files.length;
      await walk(p, o.recursive ?? false, files);
      for (const f of files.slice(before)) roots.set(f, p);
      if (files.length === before) {
        throw new PdsegError(
          'USAGE',
          `folder "${given}" holds no images (${IMAGE_EXTENSIONS.join(', ')})${o.recursive ? '' : '; add --recursive for sub-folders'}`,
        );
      }
    } else {
      files.push(p);
      roots.set(p, dirname(p));
    }
  }
  if (o.list !== undefined) {
    const dataDir = resolve(cwd, o.dataDir ?? '.');
    for (const f of await readListImages(resolve(cwd, o.list), dataDir, o.separator ?? ' ')) {
      files.push(f);
      if (!roots.has(f)) roots.set(f, dataDir);
    }
  }
  if (files.length === 0) {
    throw new PdsegError('USAGE', 'no input images: pass --input <folder|file…> or --list <file>');
  }
  const outDir = resolve(cwd, o.outputDir);
  const byOutput = new Map<string, string>();
  const inputsSet = new Set(files);
  const items: PredictItem[] = [];
  for (const input of files) {
    let stem = basename(input, extname(input));
    if (o.keepFolders) {
      const rel = relative(roots.get(input)!, input);
      if (rel.startsWith('..') || isAbsolute(rel)) {
        throw new PdsegError(
          'USAGE',
          `"${input}" is outside its root "${roots.get(input)}", so --keep-folders cannot mirror its folders; list it relative to DATASET.DATA_DIR`,
        );
      }
      stem = rel.slice(0, rel.length - extname(rel).length);
    }
    const output = join(outDir, `${stem}.png`);
    const blend = join(outDir, `${stem}_blend.jpg`);
    const other = byOutput.get(output);
    if (other !== undefined) {
      throw new PdsegError(
        'OUTPUT_CONFLICT',
        `"${other}" and "${input}" would both be written to "${output}"; rename one, or predict them into different --output folders`,
      );
    }
    if (inputsSet.has(output) || inputsSet.has(blend)) {
      throw new PdsegError(
        'OUTPUT_CONFLICT',
        `the output "${output}" is one of the inputs; choose another --output folder (inputs are never overwritten)`,
      );
    }
    byOutput.set(output, input);
    items.push({ input, output, blend });
  }
  return items;
}
