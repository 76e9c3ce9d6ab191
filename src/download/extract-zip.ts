/**
 * Zip archives through `yauzl`'s central-directory reader (spec §3.2 step 7; no streaming
 * extraction, which misreads zip64 data descriptors). All entry names are read and checked
 * first; only then is anything written. Each file's CRC-32 is verified while it is written.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, stat, symlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { crc32 } from 'node:zlib';
import yauzl from 'yauzl';
import { messageOf, PdsegError } from '../errors.js';
import { checkExpansion, type ExpansionLimit } from './expansion.js';
import { checkEntryName, checkLinkTarget, LinkTracker, unsafeEntry, verifyTree } from './safe-path.js';

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const S_IFDIR = 0o040000;

function corrupt(archive: string, detail: string, cause?: unknown): PdsegError {
  return new PdsegError(
    'ARCHIVE_CORRUPT',
    `archive '${archive}' is corrupt or truncated (${detail}); delete it and download again`,
    { cause },
  );
}

interface PlannedEntry {
  entry: yauzl.Entry;
  original: string;
  name: string;
  kind: 'dir' | 'file' | 'symlink';
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Extracts a zip archive into the existing empty folder `dest`. Throws ARCHIVE_CORRUPT for
 * an unreadable central directory, a bad CRC or an unsupported method, ARCHIVE_UNSAFE for
 * an entry that would land outside `dest`; `label` names the archive in messages. Resolves to the number of entries.
 */
export async function extractZip(
  archivePath: string,
  dest: string,
  label = basename(archivePath),
  limit: ExpansionLimit = {},
): Promise<number> {
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(archivePath, { lazyEntries: true, decodeStrings: false, autoClose: false });
  } catch (e) {
    throw corrupt(label, messageOf(e), e);
  }
  try {
    const planned: PlannedEntry[] = [];
    const links = new LinkTracker(label);
    try {
      for await (const entry of zip.eachEntry()) {
        const raw = entry.fileName as unknown as Buffer;
        const original = yauzl.getFileNameLowLevel(
          entry.generalPurposeBitFlag,
          raw,
          entry.extraFields,
          false,
        );
        const name = checkEntryName(label, original);
        links.checkPath(original, name);
        const mode = (entry.externalFileAttributes >>> 16) & S_IFMT;
        const kind =
          original.endsWith('/') || mode === S_IFDIR ? 'dir' : mode === S_IFLNK ? 'symlink' : 'file';
        if (kind === 'symlink') links.addLink(name);
        if (name !== '') planned.push({ entry, original, name, kind });
      }
    } catch (e) {
      if (e instanceof PdsegError) throw e;
      throw corrupt(label, messageOf(e), e);
    }
    // The central directory's sizes; yauzl checks each entry's actual bytes against them.
    const declared = planned.reduce(
      (n, p) => n + (p.kind === 'dir' ? 0 : Number(p.entry.uncompressedSize)),
      0,
    );
    checkExpansion(label, declared, (await stat(archivePath)).size, limit);
    for (const p of planned) {
      const target = join(dest, p.name);
      if (p.kind === 'dir') {
        await mkdir(target, { recursive: true });
        continue;
      }
      if (p.entry.isEncrypted()) throw corrupt(label, `entry '${p.original}' is encrypted`);
      if (!p.entry.canDecodeFileData()) {
        throw corrupt(
          label,
          `entry '${p.original}' uses unsupported compression method ${p.entry.compressionMethod}`,
        );
      }
      await mkdir(dirname(target), { recursive: true });
      let crc = 0;
      try {
        const stream = await zip.openReadStreamPromise(p.entry);
        if (p.kind === 'symlink') {
          const data = await readAll(stream);
          crc = crc32(data);
          checkCrc(label, p, crc);
          const linkTarget = data.toString('utf8');
          checkLinkTarget(label, p.name, linkTarget);
          await symlink(linkTarget, target);
          continue;
        }
        stream.on('data', (chunk: Buffer) => {
          crc = crc32(chunk, crc);
        });
        // 'wx': never write through something that already exists (a duplicate entry).
        await pipeline(stream, createWriteStream(target, { flags: 'wx' }));
      } catch (e) {
        if (e instanceof PdsegError) throw e;
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') throw unsafeEntry(label, p.original, 'occurs twice');
        if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'EACCES' || code === 'EROFS') {
          throw new PdsegError(
            'IO',
            `could not extract '${label}' into '${dest}': ${messageOf(e)}; free some space or fix permissions`,
            {
              cause: e,
            },
          );
        }
        throw corrupt(label, `entry '${p.original}': ${messageOf(e)}`, e);
      }
      checkCrc(label, p, crc);
    }
    await verifyTree(label, dest);
    return planned.length;
  } finally {
    zip.close();
  }
}

function checkCrc(label: string, p: PlannedEntry, crc: number): void {
  if (crc >>> 0 !== p.entry.crc32 >>> 0) {
    throw corrupt(label, `CRC-32 mismatch in entry '${p.original}'`);
  }
}
