/**
 * `pdseg download` as a library (spec §3): resolve names against the registry, then
 * download, verify and extract each item in turn, collecting one summary. Used by the
 * `download` command and by `pdseg quickstart`. Never prints; progress goes to `onEvent`.
 */

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { isPdsegError, messageOf, PdsegError } from '../errors.js';
import { type ProgressSink, silent } from '../events.js';
import type { ExpansionLimit } from './expansion.js';
import type { FetchLike } from './fetch.js';
import { type DownloadManifest, installItem } from './install.js';
import { applyMirror } from './mirror.js';
import { buildRegistry, defaultEntries, lookup, type Registry, type RegistryEntry } from './registry.js';

export type { FetchLike, FetchResponseLike } from './fetch.js';
export type { DownloadManifest } from './install.js';
export { MANIFEST_NAME } from './install.js';
export type { ItemKind, RegistryEntry } from './registry.js';

/** Options of {@link downloadItems}. */
export interface DownloadOptions {
  /** Download root; models go to `<root>/pretrained_model/`, datasets to `<root>/dataset/` (default cwd). */
  root?: string;
  /** Replaces scheme and host of every URL (default: `PDSEG_MIRROR` when set). */
  mirror?: string;
  /** Replace a present target (atomically) instead of skipping it. */
  force?: boolean;
  onEvent?: ProgressSink;
  /** Injected `fetch` (tests); default undici's. */
  fetchImpl?: FetchLike;
  /** Delays before each retry, in ms; its length is the number of retries (default 1 s, 3 s, 9 s). */
  retryDelaysMs?: number[];
  /** Per-attempt idle timeout in ms (default 30 000). */
  timeoutMs?: number;
  /** Registry to resolve names in (tests); default the PaddleSeg one. */
  registry?: Registry;
  /** Expansion limit of each extraction (default 64 GiB and 100× the archive). */
  expansion?: ExpansionLimit;
}

/** Outcome of one requested item. */
export interface DownloadItemResult {
  /** The name as requested (may be an alias). */
  requested: string;
  entry: RegistryEntry;
  /** URL used (after the mirror). */
  url: string;
  /** Absolute target folder. */
  target: string;
  status: 'downloaded' | 'skipped' | 'failed';
  manifest?: DownloadManifest;
  error?: PdsegError;
}

/** Result of {@link downloadItems}: one row per distinct item, in request order. */
export interface DownloadSummary {
  items: DownloadItemResult[];
  downloaded: number;
  skipped: number;
  failed: number;
}

/** One row of {@link listItems}. */
export interface ListedItem {
  entry: RegistryEntry;
  url: string;
  target: string;
  present: boolean;
}

/** The PaddleSeg registry (spec §3.1 models, then §3.3 datasets). Built on each call. */
export function defaultRegistry(): Registry {
  return buildRegistry(defaultEntries());
}

/** Finds a registry entry by name or alias; throws DOWNLOAD_UNKNOWN_NAME with the nearest names. */
export function resolveItem(name: string, registry: Registry = defaultRegistry()): RegistryEntry {
  return lookup(registry, name);
}

function effectiveMirror(mirror: string | undefined): string | undefined {
  return mirror ?? (process.env.PDSEG_MIRROR || undefined);
}

/** Every registry entry with its URL (mirror applied), target folder, and whether it is present. */
export function listItems(options: Pick<DownloadOptions, 'root' | 'mirror' | 'registry'> = {}): ListedItem[] {
  const root = resolve(options.root ?? '.');
  const mirror = effectiveMirror(options.mirror);
  return (options.registry ?? defaultRegistry()).entries.map((entry) => {
    const target = resolve(root, entry.folder);
    return { entry, url: applyMirror(entry.url, mirror), target, present: existsSync(target) };
  });
}

/**
 * Downloads the named items one after another (spec §3). All names are resolved first, so
 * an unknown name (DOWNLOAD_UNKNOWN_NAME) or a bad mirror (USAGE) throws before any download.
 * A failing item does not stop the others; it is reported in the summary with its error.
 */
export async function downloadItems(
  names: string[],
  options: DownloadOptions = {},
): Promise<DownloadSummary> {
  const registry = options.registry ?? defaultRegistry();
  const root = resolve(options.root ?? '.');
  const mirror = effectiveMirror(options.mirror);
  const onEvent = options.onEvent ?? silent;
  const planned: { requested: string; entry: RegistryEntry; url: string; target: string }[] = [];
  for (const requested of names) {
    const entry = lookup(registry, requested);
    if (planned.some((p) => p.entry === entry)) continue;
    planned.push({
      requested,
      entry,
      url: applyMirror(entry.url, mirror),
      target: resolve(root, entry.folder),
    });
  }
  const summary: DownloadSummary = { items: [], downloaded: 0, skipped: 0, failed: 0 };
  for (const p of planned) {
    try {
      const outcome = await installItem({
        entry: p.entry,
        url: p.url,
        target: p.target,
        force: options.force ?? false,
        onEvent,
        fetchImpl: options.fetchImpl,
        retryDelaysMs: options.retryDelaysMs,
        timeoutMs: options.timeoutMs,
        expansion: options.expansion,
      });
      if (outcome.status === 'skipped') {
        summary.items.push({ ...p, status: 'skipped' });
        summary.skipped++;
      } else {
        summary.items.push({ ...p, status: 'downloaded', manifest: outcome.manifest });
        summary.downloaded++;
      }
    } catch (e) {
      const error = isPdsegError(e)
        ? e
        : new PdsegError('WORK_FAILED', `${p.entry.name}: ${messageOf(e)}`, { cause: e, exitCode: 1 });
      summary.items.push({ ...p, status: 'failed', error });
      summary.failed++;
      onEvent({
        type: 'warn',
        task: 'download',
        message: `${p.entry.name} failed: [${error.code}] ${error.message}`,
      });
    }
  }
  return summary;
}
