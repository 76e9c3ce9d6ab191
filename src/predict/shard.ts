/**
 * Sharded batch predict for Kubernetes Indexed Jobs (and any other engine that starts N
 * copies with an index): `--shard I/N` — or the `JOB_COMPLETION_INDEX` Kubernetes sets, with
 * `--shards N` / `PDSEG_SHARDS` — takes every N-th image of the deterministic input list
 * starting at I, so the union of the N shards is the whole list, each image exactly once.
 *
 * Each shard writes a JSON summary (counts, failures with their reasons and kinds, time,
 * images/s) and exits with a code a `podFailurePolicy` can act on:
 *
 * | exit | meaning | policy |
 * |---|---|---|
 * | 0 | every image of the shard written (or already there with `--skip-existing`) | — |
 * | 2 | bad usage, config or model: no retry helps | `FailIndex` |
 * | 3 | some images are bad (unreadable, undecodable): a retry gives the same | `FailIndex` |
 * | 75 | a transient failure (I/O, inference): retry the index (EX_TEMPFAIL) | counts against `backoffLimitPerIndex` |
 */
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { isPdsegError, PdsegError } from '../errors.js';
import { writeFileAtomic } from '../util/atomic.js';

/** One shard of N. */
export interface Shard {
  /** 0-based. */
  index: number;
  count: number;
}

/** Exit codes of a sharded run (see the table above). */
export const SHARD_EXIT = { ok: 0, usage: 2, badInput: 3, transient: 75 } as const;

function wholeNumber(text: string, what: string, min: number): number {
  if (!/^\d+$/.test(text.trim())) {
    throw new PdsegError('USAGE', `${what} must be a whole number, got "${text}"`);
  }
  const n = Number(text);
  if (n < min) throw new PdsegError('USAGE', `${what} must be at least ${min}, got ${n}`);
  return n;
}

/**
 * The shard to run: `--shard I/N` (or `--shard I` with `--shards N`), else
 * `JOB_COMPLETION_INDEX` with `--shards N` or `PDSEG_SHARDS`; undefined when none is given.
 */
export function resolveShard(
  shardFlag: string | undefined,
  shardsFlag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Shard | undefined {
  let indexText = shardFlag;
  let countText = shardsFlag ?? env.PDSEG_SHARDS;
  if (shardFlag?.includes('/')) {
    const [i, n] = shardFlag.split('/');
    indexText = i;
    countText = n;
  }
  if (indexText === undefined && env.JOB_COMPLETION_INDEX !== undefined) indexText = env.JOB_COMPLETION_INDEX;
  if (indexText === undefined) {
    if (shardsFlag !== undefined) {
      throw new PdsegError(
        'USAGE',
        '--shards N needs the shard index: --shard I, or JOB_COMPLETION_INDEX (set by an Indexed Job)',
      );
    }
    return undefined;
  }
  if (countText === undefined) {
    throw new PdsegError(
      'USAGE',
      `shard index ${indexText} without a shard count: give --shard I/N, --shards N or PDSEG_SHARDS`,
    );
  }
  const count = wholeNumber(countText, 'the shard count', 1);
  const index = wholeNumber(indexText, 'the shard index', 0);
  if (index >= count) {
    throw new PdsegError(
      'USAGE',
      `shard index ${index} is not below the shard count ${count} (indices are 0…${count - 1})`,
    );
  }
  return { index, count };
}

/** The items of `shard`: every `count`-th from `index`, in list order. */
export function shardItems<T>(items: readonly T[], shard: Shard | undefined): T[] {
  if (!shard) return [...items];
  return items.filter((_, i) => i % shard.count === shard.index);
}

/** Errno codes that mean the input itself is wrong (a retry reads the same). */
const INPUT_ERRNO = new Set(['ENOENT', 'EISDIR', 'ENOTDIR', 'EACCES', 'EPERM', 'ELOOP', 'ENAMETOOLONG']);

/** Whether a failure is the input's fault (do not retry) or transient (retry). */
export function failureKind(e: unknown): 'input' | 'transient' {
  if (isPdsegError(e)) {
    if (['IMAGE_DECODE', 'IMAGE_CHANNELS', 'IMAGE_TOO_LARGE', 'USAGE', 'DATASET'].includes(e.code))
      return 'input';
    const cause = (e as { cause?: unknown }).cause;
    return cause === undefined ? 'transient' : failureKind(cause);
  }
  const code = (e as { code?: unknown })?.code;
  return typeof code === 'string' && INPUT_ERRNO.has(code) ? 'input' : 'transient';
}

/** What one shard did, as written to its summary file. */
export interface ShardSummary {
  shard: Shard | null;
  /** Images in this shard. */
  images: number;
  written: number;
  /** Already there (`--skip-existing`). */
  skipped: number;
  failures: Array<{ input: string; kind: 'input' | 'transient'; message: string }>;
  seconds: number;
  imagesPerSecond: number;
  startedAt: string;
  finishedAt: string;
}

/** Where a shard's summary goes by default: `<output>/.pdseg/shard-I-of-N.json`. */
export function defaultSummaryPath(outputDir: string, shard: Shard | undefined): string {
  return join(outputDir, '.pdseg', shard ? `shard-${shard.index}-of-${shard.count}.json` : 'predict.json');
}

/** Writes the summary atomically. */
export async function writeShardSummary(path: string, summary: ShardSummary): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, `${JSON.stringify(summary, null, 2)}\n`);
}

/** The exit code of a shard from its summary. */
export function shardExitCode(summary: ShardSummary): number {
  if (summary.failures.some((f) => f.kind === 'transient')) return SHARD_EXIT.transient;
  if (summary.failures.length > 0) return SHARD_EXIT.badInput;
  return SHARD_EXIT.ok;
}

/** The union of shard summaries, and whether every shard of the count is there once. */
export interface MergedSummary {
  shards: number;
  /** Shard indices absent from the files given (empty when complete). */
  missing: number[];
  images: number;
  written: number;
  skipped: number;
  failures: ShardSummary['failures'];
  /** Sum of the shards' seconds (machine time, not wall time). */
  seconds: number;
}

/** Merges summaries of one sharded run; refuses mixed shard counts and duplicate indices. */
export function mergeSummaries(list: ReadonlyArray<{ file: string; summary: ShardSummary }>): MergedSummary {
  if (list.length === 0) throw new PdsegError('USAGE', 'no shard summaries to merge');
  const counts = new Set(list.map((s) => s.summary.shard?.count ?? 1));
  if (counts.size > 1) {
    throw new PdsegError(
      'USAGE',
      `the summaries come from runs with different shard counts (${[...counts].join(', ')}); merge one run at a time`,
    );
  }
  const count = [...counts][0]!;
  const seen = new Map<number, string>();
  for (const { file, summary } of list) {
    const i = summary.shard?.index ?? 0;
    const other = seen.get(i);
    if (other) throw new PdsegError('USAGE', `shard ${i} appears twice: "${other}" and "${file}"`);
    seen.set(i, file);
  }
  const sum = (f: (s: ShardSummary) => number) => list.reduce((a, s) => a + f(s.summary), 0);
  return {
    shards: count,
    missing: Array.from({ length: count }, (_, i) => i).filter((i) => !seen.has(i)),
    images: sum((s) => s.images),
    written: sum((s) => s.written),
    skipped: sum((s) => s.skipped),
    failures: list.flatMap((s) => s.summary.failures),
    seconds: sum((s) => s.seconds),
  };
}
