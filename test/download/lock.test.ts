import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireLock } from '../../src/download/lock.js';
import { PdsegError } from '../../src/errors.js';
import { tempDir } from '../helpers.js';

let work: { dir: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  work = await tempDir('pdseg-lock-');
});
afterEach(() => work.cleanup());

describe('acquireLock', () => {
  it('creates the lock with our pid and removes it on release', async () => {
    const path = join(work.dir, '.a.tgz.lock');
    const release = await acquireLock(path);
    expect(readFileSync(path, 'utf8')).toBe(String(process.pid));
    await release();
    expect(existsSync(path)).toBe(false);
  });

  it('refuses a lock held by a live process, naming its pid', async () => {
    const path = join(work.dir, '.a.tgz.lock');
    writeFileSync(path, String(process.ppid));
    let caught: unknown;
    try {
      await acquireLock(path);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(PdsegError);
    expect((caught as PdsegError).code).toBe('IO');
    expect((caught as PdsegError).message).toContain(`another pdseg (pid ${process.ppid})`);
    expect(readFileSync(path, 'utf8')).toBe(String(process.ppid));
  });

  it('takes over a stale lock whose process is gone', async () => {
    const path = join(work.dir, '.a.tgz.lock');
    writeFileSync(path, '2147483646');
    const release = await acquireLock(path);
    expect(readFileSync(path, 'utf8')).toBe(String(process.pid));
    await release();
  });
});
