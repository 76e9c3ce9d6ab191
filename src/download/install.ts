/**
 * One item from URL to folder, atomically (spec §3.2, with the guarantees PaddleSeg's
 * helper lacks): download to `<archive>.part` beside the target, verify, extract into a
 * temporary folder beside the target, apply PaddleSeg's layout rule (the archive's top
 * folder becomes the requested name), write `.pdseg-download.json`, rename into place.
 * Any failure removes the temporary folder, so no partial target ever exists.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { isPdsegError, PdsegError } from '../errors.js';
import type { ProgressSink } from '../events.js';
import { removeStaleTemps, tempSibling } from '../util/atomic.js';
import type { ExpansionLimit } from './expansion.js';
import { extractTar } from './extract-tar.js';
import { extractZip } from './extract-zip.js';
import { downloadFile, type FetchLike, removePartial } from './fetch.js';
import { acquireLock } from './lock.js';
import { archiveBasename, type RegistryEntry } from './registry.js';

/** Name of the manifest written inside every downloaded target. */
export const MANIFEST_NAME = '.pdseg-download.json';

/** Contents of `.pdseg-download.json`. */
export interface DownloadManifest {
  name: string;
  /** URL the bytes came from (after `--mirror`). */
  url: string;
  /** Registry URL (before `--mirror`). */
  upstreamUrl: string;
  archive: string;
  /** Archive size in bytes. */
  size: number;
  /** Lower-case hex SHA-256 of the archive. */
  sha256: string;
  /** ISO 8601 time the download finished. */
  time: string;
}

/** Archive kind by file name, as PaddleSeg picks its handler (spec §3.2 step 7). */
export function archiveKind(fileName: string): 'zip' | 'tar' {
  return fileName.endsWith('zip') ? 'zip' : 'tar';
}

/** Options of {@link installItem}. */
export interface InstallOptions {
  entry: RegistryEntry;
  /** URL to fetch (the entry's URL with the mirror applied). */
  url: string;
  /** Absolute target folder. */
  target: string;
  force: boolean;
  onEvent: ProgressSink;
  fetchImpl?: FetchLike;
  retryDelaysMs?: readonly number[];
  timeoutMs?: number;
  /** Expansion limit of the extraction (archive bombs). */
  expansion?: ExpansionLimit;
}

/** What {@link installItem} did. */
export type InstallOutcome = { status: 'skipped' } | { status: 'downloaded'; manifest: DownloadManifest };

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * The folder that becomes the target (spec §3.2 step 5): the archive's single top folder
 * when it has one, else the extraction folder itself. (PaddleSeg would move only the first
 * member; keeping everything is the useful reading of the same rule.)
 */
async function contentRoot(extracted: string): Promise<string> {
  const top = await readdir(extracted);
  if (top.length === 1) {
    const only = join(extracted, top[0]);
    if ((await lstat(only)).isDirectory()) return only;
  }
  return extracted;
}

/** Downloads, verifies and extracts one entry into `target` (see the module comment). */
export async function installItem(options: InstallOptions): Promise<InstallOutcome> {
  const { url, target } = options;
  if ((await checkTarget(options)) === 'skip') return { status: 'skipped' };
  const parent = dirname(target);
  await mkdir(parent, { recursive: true });
  const archive = archiveBasename(url);
  const release = await acquireLock(join(parent, `.${archive}.lock`));
  try {
    // Checked again under the lock: another process may have just finished this item.
    if ((await checkTarget(options)) === 'skip') return { status: 'skipped' };
    return await fetchAndPublish(options, archive, join(parent, archive));
  } finally {
    await release();
  }
}

/** 'skip' when the target is a present folder and not forced; throws when it is not a folder. */
async function checkTarget(options: InstallOptions): Promise<'skip' | 'go'> {
  const { entry, target, onEvent } = options;
  if (!(await exists(target))) return 'go';
  if (options.force) return 'go';
  if (!(await stat(target).catch(() => undefined))?.isDirectory()) {
    throw new PdsegError(
      'DOWNLOAD_TARGET_EXISTS',
      `'${target}' exists and is not a folder; move it away or run again with --force`,
    );
  }
  onEvent({
    type: 'info',
    task: 'download',
    message: `${entry.name}: already present at ${target}, skipped (use --force to replace it)`,
  });
  return 'skip';
}

async function fetchAndPublish(
  options: InstallOptions,
  archive: string,
  archivePath: string,
): Promise<InstallOutcome> {
  const { entry, url, target, onEvent } = options;
  onEvent({ type: 'info', task: 'download', message: `${entry.name}: downloading ${url}` });
  const file = await downloadFile({
    url,
    archivePath,
    item: entry.name,
    onEvent,
    fetchImpl: options.fetchImpl,
    retryDelaysMs: options.retryDelaysMs,
    timeoutMs: options.timeoutMs,
  });
  const sha256 = await sha256File(file.partPath);
  if (entry.sha256 && entry.sha256.toLowerCase() !== sha256) {
    await removePartial(archivePath);
    throw new PdsegError(
      'DOWNLOAD_CHECKSUM',
      `${url}: SHA-256 ${sha256} does not match the registry's ${entry.sha256}; the file was deleted — try again, or check the --mirror`,
    );
  }
  // Hidden extraction folders of earlier runs that were killed are removed first.
  await removeStaleTemps(target);
  const work = tempSibling(target);
  await mkdir(work);
  try {
    onEvent({ type: 'info', task: 'download', message: `${entry.name}: extracting ${archive}` });
    // The .part file is named after the archive, so pick the handler from the archive name.
    const count =
      archiveKind(archive) === 'zip'
        ? await extractZip(file.partPath, work, archive, options.expansion)
        : await extractTar(file.partPath, work, archive, options.expansion);
    const root = await contentRoot(work);
    const manifest: DownloadManifest = {
      name: entry.name,
      url,
      upstreamUrl: entry.url,
      archive,
      size: file.size,
      sha256,
      time: new Date().toISOString(),
    };
    await writeFile(join(root, MANIFEST_NAME), `${JSON.stringify(manifest, null, 2)}\n`);
    await publish(root, target, options.force);
    await removePartial(archivePath);
    onEvent({ type: 'done', task: 'download', message: `${entry.name}: ${count} entries → ${target}` });
    return { status: 'downloaded', manifest };
  } catch (e) {
    // A bad archive will not get better by resuming it: drop it so the next run re-downloads.
    if (isPdsegError(e, 'ARCHIVE_CORRUPT') || isPdsegError(e, 'ARCHIVE_UNSAFE'))
      await removePartial(archivePath);
    throw e;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Renames `source` to `target`; with `force`, swaps out an existing target atomically. */
async function publish(source: string, target: string, force: boolean): Promise<void> {
  if (!(force && (await exists(target)))) {
    await rename(source, target);
    return;
  }
  const old = tempSibling(target);
  await rename(target, old);
  try {
    await rename(source, target);
  } catch (e) {
    await rename(old, target);
    throw e;
  }
  await rm(old, { recursive: true, force: true });
}
