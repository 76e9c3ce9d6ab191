/**
 * Entry-name rules shared by the tar and zip extractors (STYLE.md §11: extraction stays
 * inside its target). An archive is rejected, before anything is written, when an entry
 * name is absolute, contains a `..` component, passes through a symlink entry, or is a
 * symlink whose target leaves the extraction folder.
 */
import { lstat, readdir, readlink, realpath } from 'node:fs/promises';
import { join, posix, sep } from 'node:path';
import { PdsegError } from '../errors.js';

/** The ARCHIVE_UNSAFE error naming the archive, the entry and the reason. */
export function unsafeEntry(archive: string, entry: string, reason: string): PdsegError {
  return new PdsegError(
    'ARCHIVE_UNSAFE',
    `archive '${archive}': entry '${entry}' ${reason}; refusing to extract it (nothing was written). Ask the archive's publisher for a clean copy`,
  );
}

/**
 * Checks one entry name and returns it normalised (`./a//b/` → `a/b`, backslashes as
 * separators, as zip writers on Windows produce). Throws ARCHIVE_UNSAFE for absolute
 * paths (`/x`, `C:x`, `\x`) and for any `..` component.
 */
export function checkEntryName(archive: string, name: string): string {
  const slashed = name.replace(/\\/g, '/');
  if (slashed.startsWith('/') || /^[A-Za-z]:/.test(slashed)) {
    throw unsafeEntry(archive, name, 'has an absolute path');
  }
  const parts = slashed.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..'))
    throw unsafeEntry(archive, name, "contains a '..' component and would land outside the target");
  return parts.join('/');
}

/**
 * Checks a symlink entry's target: it must be relative and, resolved against the entry's
 * folder, stay inside the extraction root.
 */
export function checkLinkTarget(archive: string, entry: string, target: string): void {
  if (target.startsWith('/') || /^[A-Za-z]:/.test(target) || target.startsWith('\\')) {
    throw unsafeEntry(archive, entry, `is a symlink to the absolute path '${target}'`);
  }
  const resolved = posix.normalize(posix.join(posix.dirname(entry), target.replace(/\\/g, '/')));
  if (resolved === '..' || resolved.startsWith('../')) {
    throw unsafeEntry(archive, entry, `is a symlink pointing outside the target ('${target}')`);
  }
}

/**
 * Tracks symlink entries so that a later entry cannot be written through one
 * (`a -> .` followed by `a/b -> ../x` would otherwise escape).
 */
export class LinkTracker {
  private readonly links = new Set<string>();

  constructor(private readonly archive: string) {}

  /** Records a symlink entry (normalised name). */
  addLink(name: string): void {
    this.links.add(name);
  }

  /** Throws ARCHIVE_UNSAFE when a proper prefix of `name` is a symlink entry. */
  checkPath(original: string, name: string): void {
    const parts = name.split('/');
    for (let i = 1; i < parts.length; i++) {
      const prefix = parts.slice(0, i).join('/');
      if (this.links.has(prefix))
        throw unsafeEntry(this.archive, original, `goes through the symlink entry '${prefix}'`);
    }
  }
}

/**
 * After extraction, walks `root` and re-checks every symlink found on disk (defence in
 * depth: the listing was checked before extraction, this checks what `tar` actually made).
 */
export async function verifyTree(archive: string, root: string, rel = '', rootReal?: string): Promise<void> {
  const inside = rootReal ?? (await realpath(root));
  for (const name of await readdir(join(root, rel))) {
    const entry = rel === '' ? name : `${rel}/${name}`;
    const info = await lstat(join(root, entry));
    if (info.isSymbolicLink()) {
      checkLinkTarget(archive, entry, await readlink(join(root, entry)));
      // Each link stays inside on its own, but a chain can leave (`d/l1 -> ..`,
      // `d/l2 -> l1/../..`): resolve it as the kernel will.
      const real = await realpath(join(root, entry)).catch(() => undefined);
      if (real === undefined)
        throw unsafeEntry(archive, entry, 'is a symlink to a path that does not exist in the archive');
      if (real !== inside && !real.startsWith(`${inside}${sep}`)) {
        throw unsafeEntry(
          archive,
          entry,
          `is a symlink that, through other links, resolves outside the target (to '${real}')`,
        );
      }
    } else if (info.isDirectory()) await verifyTree(archive, root, entry, inside);
    else if (!info.isFile()) throw unsafeEntry(archive, entry, 'is a device, FIFO or socket');
  }
}
