/**
 * One download of an archive at a time: two `pdseg` processes appending to the same
 * `<archive>.part` would corrupt it. The lock is a file created with `wx` holding the
 * owner's pid; a lock whose process is gone is stale and taken over.
 */
import { open, readFile, rm } from 'node:fs/promises';
import { PdsegError } from '../errors.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the lock file `path` and resolves to its release function. Throws `IO` naming the
 * other process when a live one holds it.
 */
export async function acquireLock(path: string): Promise<() => Promise<void>> {
  for (let tries = 0; tries < 2; tries++) {
    try {
      const fh = await open(path, 'wx');
      await fh.writeFile(String(process.pid));
      await fh.close();
      return () => rm(path, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const pid = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
      throw new PdsegError(
        'IO',
        `another pdseg (pid ${pid}) is downloading into the same place; wait for it to finish, or delete '${path}' if that process is not pdseg`,
      );
    }
    await rm(path, { force: true });
  }
  throw new PdsegError('IO', `could not take the lock '${path}'; delete it and try again`);
}
