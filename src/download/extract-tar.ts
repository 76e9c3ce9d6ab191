/**
 * Tar and gzip archives through the system `tar` binary (spec §3.2 step 7: `.tgz`, `.tar`,
 * `.tar.gz`, compression detected by `tar` as Python's `tarfile` mode "r" does). Every
 * member is listed and checked BEFORE anything is extracted (`tar -tvf -P`, names kept
 * verbatim): regular files and folders only, plus symlinks that stay inside the target;
 * hard links, devices, absolute names and `..` are rejected with ARCHIVE_UNSAFE.
 */
import { spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { PdsegError } from '../errors.js';
import { checkExpansion, type ExpansionLimit } from './expansion.js';
import { checkEntryName, checkLinkTarget, LinkTracker, unsafeEntry, verifyTree } from './safe-path.js';

/** One member as `tar -tv` describes it. */
export interface TarMember {
  /** Name exactly as stored in the archive. */
  name: string;
  /** First character of the mode column: `-` file, `d` folder, `l` symlink, `h` hard link, … */
  type: string;
  /** Link target for `l` and `h` members. */
  linkTarget?: string;
  /** Size in bytes as the listing states it. */
  size: number;
}

/**
 * On SIGINT/SIGTERM while `tar` runs, the child is killed and waited for before the signal
 * is raised again (so the process still ends as the signal says): a `tar` left running would
 * go on writing into the hidden extraction folder. That folder is removed by the next run.
 */
function killOnSignal(child: ReturnType<typeof spawn>): () => void {
  const handler = (signal: NodeJS.Signals) => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
    const raise = () => process.kill(process.pid, signal);
    if (child.exitCode !== null || child.signalCode !== null) return raise();
    child.once('close', raise);
    child.kill('SIGKILL');
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}

function runTar(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('tar', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const release = killOnSignal(child);
    child.on('close', release);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', (e) =>
      reject(
        new PdsegError('IO', `could not run the system 'tar' (${e.message}); install GNU tar`, { cause: e }),
      ),
    );
    child.on('close', (code) =>
      resolve({
        code: code ?? -1,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      }),
    );
  });
}

/** Undoes GNU tar's `escape` quoting style (`\\`, `\n`, `\t`, octal `\ooo`, …). */
export function unescapeTarName(s: string): string {
  const simple: Record<string, string> = {
    '\\': '\\',
    n: '\n',
    t: '\t',
    r: '\r',
    a: '\x07',
    b: '\b',
    f: '\f',
    v: '\v',
    '?': '?',
    ' ': ' ',
  };
  const bytes: number[] = [];
  const raw = Buffer.from(s, 'utf8');
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] !== 0x5c || i + 1 >= raw.length) {
      bytes.push(raw[i]);
      continue;
    }
    const next = String.fromCharCode(raw[i + 1]);
    const octal = /^[0-7]{3}$/.exec(String.fromCharCode(...raw.subarray(i + 1, i + 4)));
    if (octal) {
      bytes.push(Number.parseInt(octal[0], 8));
      i += 3;
    } else if (next in simple) {
      bytes.push(simple[next].charCodeAt(0));
      i += 1;
    } else {
      bytes.push(raw[i]);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

const VERBOSE_LINE = /^(\S)\S*\s+\S+\s+([\d,]+)\s+\d{4}-\d\d-\d\d \d\d:\d\d(?::\d\d)?\s(.*)$/;

function corrupt(archive: string, detail: string): PdsegError {
  return new PdsegError(
    'ARCHIVE_CORRUPT',
    `archive '${archive}' is corrupt or truncated (${detail.trim() || 'tar failed'}); delete it and download again`,
  );
}

/**
 * Lists the members of a tar archive (any compression `tar` detects). Two listings are
 * combined: `tar -t` gives each name unambiguously, `tar -tv` its type and link target.
 */
export async function listTar(archivePath: string, label = basename(archivePath)): Promise<TarMember[]> {
  const common = ['-P', '--quoting-style=escape', '-f', archivePath];
  const names = await runTar(['-t', ...common]);
  if (names.code !== 0) throw corrupt(label, names.stderr);
  const verbose = await runTar(['-tv', '--numeric-owner', ...common]);
  if (verbose.code !== 0) throw corrupt(label, verbose.stderr);
  const nameLines = names.stdout.split('\n').filter((l) => l !== '');
  const verboseLines = verbose.stdout.split('\n').filter((l) => l !== '');
  if (nameLines.length !== verboseLines.length) throw corrupt(label, 'the two tar listings disagree');
  return nameLines.map((escaped, i) => {
    const m = VERBOSE_LINE.exec(verboseLines[i]);
    if (!m?.[3].startsWith(escaped)) throw corrupt(label, `unreadable listing line '${verboseLines[i]}'`);
    const rest = m[3].slice(escaped.length);
    const member: TarMember = {
      name: unescapeTarName(escaped),
      type: m[1],
      size: Number(m[2].replace(/,/g, '')),
    };
    if (rest.startsWith(' -> ')) member.linkTarget = unescapeTarName(rest.slice(4));
    else if (rest.startsWith(' link to ')) member.linkTarget = unescapeTarName(rest.slice(9));
    return member;
  });
}

/** Checks every member (see the module comment); throws ARCHIVE_UNSAFE naming the first bad one. */
export function checkTarMembers(archive: string, members: readonly TarMember[]): void {
  const links = new LinkTracker(archive);
  for (const m of members) {
    const name = checkEntryName(archive, m.name);
    links.checkPath(m.name, name);
    if (m.type === 'h') throw unsafeEntry(archive, m.name, `is a hard link (to '${m.linkTarget ?? '?'}')`);
    if (m.type === 'l') {
      checkLinkTarget(archive, name, m.linkTarget ?? '');
      links.addLink(name);
    } else if (m.type !== '-' && m.type !== 'd') {
      throw unsafeEntry(
        archive,
        m.name,
        `has the unsupported member type '${m.type}' (device, FIFO or similar)`,
      );
    }
  }
}

/**
 * Extracts a tar archive into the existing empty folder `dest` after checking every member.
 * Throws ARCHIVE_CORRUPT when `tar` cannot read it (truncated gzip, garbage) and
 * ARCHIVE_UNSAFE when a member would land outside `dest`; `label` names the archive in
 * messages. Resolves to the member count.
 */
export async function extractTar(
  archivePath: string,
  dest: string,
  label = basename(archivePath),
  limit: ExpansionLimit = {},
): Promise<number> {
  const members = await listTar(archivePath, label);
  checkTarMembers(label, members);
  checkExpansion(
    label,
    members.reduce((n, m) => n + (m.type === '-' ? m.size : 0), 0),
    (await stat(archivePath)).size,
    limit,
  );
  const result = await runTar([
    '-x',
    '--no-same-owner',
    '--no-same-permissions',
    '-f',
    archivePath,
    '-C',
    dest,
  ]);
  if (
    result.code !== 0 &&
    /No space left|Disk quota|Permission denied|Read-only file system/.test(result.stderr)
  ) {
    // The archive is fine; the disk is not. Keep the download so a retry can reuse it.
    throw new PdsegError(
      'IO',
      `could not extract '${label}' into '${dest}': ${result.stderr.trim()}; free some space or fix permissions`,
    );
  }
  if (result.code !== 0) throw corrupt(label, result.stderr);
  await verifyTree(label, dest);
  return members.length;
}
