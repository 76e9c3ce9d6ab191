/**
 * Opening a Paddle checkpoint in any of its three layouts (spec §9.8), detected
 * automatically: `model.pdparams` (pickle), a combined parameter file (`__params__`,
 * `params`, `*.pdiparams`; record names from the program beside it or from the caller),
 * and one file per variable. The first layout that fits wins; when none fits, one
 * `WEIGHT_FORMAT` error lists why each did not.
 *
 * Memory: per-file and combined checkpoints read a variable's data only in `read` (one
 * record at a time); a pdparams file is held once, its arrays are views into it.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { PdsegError } from '../errors.js';
import { type NameSource, openCombined } from './checkpoint-combined.js';
import { openPdparams } from './checkpoint-pdparams.js';
import { openPerFile } from './checkpoint-per-file.js';
import { compareBytewise, decodeProgramDesc, persistableParamNames } from './program-desc.js';
import type { Tensor, TensorInfo } from './tensor.js';

export type { PaddleDType, TensorData } from './dtype.js';
export type { Tensor, TensorInfo } from './tensor.js';

/** The three checkpoint layouts. */
export type CheckpointLayout = 'per-file' | 'pdparams' | 'combined';

/** An opened checkpoint: names, cheap header info, and on-demand reads. */
export interface Checkpoint {
  /** Which layout was detected. */
  readonly layout: CheckpointLayout;
  /** The folder (per-file) or file (pdparams, combined) that was opened. */
  readonly path: string;
  /** Every variable found (per-file: relative paths with `/`; combined: the record names in file order). */
  names(): string[];
  /** True when the checkpoint holds `name`. */
  has(name: string): boolean;
  /** Name, shape and type of `name` without reading its data; `undefined` when absent. */
  info(name: string): TensorInfo | undefined;
  /** Reads one variable's data (per-file: reads that file now; combined: reads that record). */
  read(name: string): Promise<Tensor>;
  /** Releases open files. */
  close(): Promise<void>;
}

/** Options of {@link openCheckpoint}. */
export interface OpenCheckpointOptions {
  /**
   * Names the network expects (any order): used as the record names of a combined file
   * when no program (`__model__`, `*.pdmodel`) lies beside it, or when that program's list does not fit.
   */
  expectedNames?: string[];
  /** Name (relative to the folder) or path of the combined file, e.g. `params` or `model.pdiparams`. */
  combinedFile?: string;
}

/** Combined file names tried in a folder, in order (plus any `*.pdiparams`). */
/** Names of a combined parameter file beside a program (PaddleSeg, Paddle.js, Paddle 2.x). */
export const COMBINED_NAMES = ['__params__', 'params', 'model.pdiparams'];
/** Program file names tried beside a combined file (plus `<stem>.pdmodel`). */
/** Names of a program (`ProgramDesc`) file. */
export const PROGRAM_NAMES = ['__model__', 'model', 'model.pdmodel'];

async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
}

async function combinedCandidates(dir: string, options: OpenCheckpointOptions): Promise<string[]> {
  if (options.combinedFile !== undefined) {
    const file = resolve(dir, options.combinedFile);
    if (!(await isFile(file))) throw new Error(`the combined file "${file}" does not exist`);
    return [file];
  }
  const out: string[] = [];
  for (const n of COMBINED_NAMES) if (await isFile(join(dir, n))) out.push(join(dir, n));
  const listing = await readdir(dir).catch(() => [] as string[]);
  for (const n of listing.sort()) {
    const p = join(dir, n);
    if (extname(n) === '.pdiparams' && !out.includes(p) && (await isFile(p))) out.push(p);
  }
  return out;
}

async function nameSources(file: string, options: OpenCheckpointOptions): Promise<NameSource[]> {
  const dir = dirname(file);
  const stem = basename(file, extname(file));
  const programs = [...PROGRAM_NAMES, `${stem}.pdmodel`].filter((n, i, a) => a.indexOf(n) === i);
  const sources: NameSource[] = [];
  for (const n of programs) {
    const p = join(dir, n);
    if (!(await isFile(p))) continue;
    try {
      const desc = decodeProgramDesc(new Uint8Array(await readFile(p)), p);
      sources.push({ label: `the persistable variables of "${p}"`, names: persistableParamNames(desc) });
    } catch {
      // Not a program; the combined attempt reports missing names if nothing else fits.
    }
  }
  if (options.expectedNames) {
    sources.push({
      label: 'the expected parameter list',
      names: [...options.expectedNames].sort(compareBytewise),
    });
  }
  return sources;
}

/** `<dir>/model.pdparams`, else the folder's only `*.pdparams` file (e.g. `best_model.pdparams`). */
async function pdparamsFile(dir: string): Promise<string> {
  const preferred = join(dir, 'model.pdparams');
  if (await isFile(preferred)) return preferred;
  const listing = await readdir(dir).catch(() => [] as string[]);
  const others = listing.filter((n) => extname(n) === '.pdparams');
  if (others.length === 1) return join(dir, others[0] as string);
  if (others.length > 1)
    throw new Error(`several *.pdparams files in "${dir}" (${others.join(', ')}); name the one to use`);
  throw new Error(`no "model.pdparams" in "${dir}"`);
}

function reasonOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Opens the checkpoint at `path`: a folder (any layout) or a file (`*.pdparams`, or a
 * combined file). Throws `WEIGHT_FORMAT` listing the reason of every layout when none fits,
 * and `WEIGHT_MISSING` when `path` does not exist.
 */
export async function openCheckpoint(path: string, options: OpenCheckpointOptions = {}): Promise<Checkpoint> {
  const st = await stat(path).catch(() => undefined);
  if (!st) {
    throw new PdsegError(
      'WEIGHT_MISSING',
      `checkpoint "${path}" does not exist; check TEST.TEST_MODEL (or download the model first).`,
    );
  }
  const reasons: string[] = [];
  const attempt = async (
    layout: CheckpointLayout,
    run: () => Promise<Checkpoint>,
  ): Promise<Checkpoint | undefined> => {
    try {
      return await run();
    } catch (e) {
      reasons.push(`${layout}: ${reasonOf(e)}`);
      return undefined;
    }
  };

  if (st.isFile()) {
    const asPickle = extname(path) === '.pdparams';
    const found = asPickle
      ? await attempt('pdparams', () => openPdparams(path))
      : await attempt('combined', async () => openCombined(path, await nameSources(path, options)));
    if (found) return found;
  } else {
    const fromPickle = await attempt('pdparams', async () => openPdparams(await pdparamsFile(path)));
    if (fromPickle) return fromPickle;
    const fromCombined = await attempt('combined', async () => {
      const files = await combinedCandidates(path, options);
      if (files.length === 0)
        throw new Error(`no combined file (${COMBINED_NAMES.join(', ')}, *.pdiparams) in "${path}"`);
      const inner: string[] = [];
      for (const f of files) {
        try {
          return await openCombined(f, await nameSources(f, options));
        } catch (e) {
          inner.push(reasonOf(e));
        }
      }
      throw new Error(inner.join('; '));
    });
    if (fromCombined) return fromCombined;
    const fromFiles = await attempt('per-file', () => openPerFile(path));
    if (fromFiles) return fromFiles;
  }
  throw new PdsegError(
    'WEIGHT_FORMAT',
    `"${path}" is not a Paddle checkpoint pdseg can read. Tried:\n${reasons.map((r) => `  - ${r}`).join('\n')}\n` +
      'Point it at a folder with one file per variable (the model zoo layout), a model.pdparams, ' +
      'or a __params__/params/*.pdiparams file with its __model__/*.pdmodel beside it.',
  );
}
