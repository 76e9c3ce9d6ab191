/**
 * Input files are read only when they are regular files within the size limit: a FIFO named
 * like an image does not block, a symlink to /dev/zero is not read without end.
 */
import { execFileSync } from 'node:child_process';
import { symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { decodeImageFile } from '../../src/predict/decode.js';
import { readRegularFile } from '../../src/util/read-file.js';
import { tempDir } from '../helpers.js';

let tmp: { dir: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  tmp = await tempDir('pdseg-read-file-');
});
afterAll(async () => {
  await tmp.cleanup();
});

describe('readRegularFile', () => {
  test('a FIFO is refused at once instead of blocking', async () => {
    const fifo = join(tmp.dir, 'fifo.png');
    execFileSync('mkfifo', [fifo]);
    const t0 = performance.now();
    await expect(readRegularFile(fifo, 1024)).rejects.toThrow(/a FIFO \(named pipe\), not a regular file/);
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  test('a symlink to /dev/zero is refused as a character device', async () => {
    const link = join(tmp.dir, 'zero.png');
    await symlink('/dev/zero', link);
    await expect(decodeImageFile(link)).rejects.toThrow(/cannot read image .*zero\.png.*a character device/);
  });

  test('a file over the limit is refused with its size; a small one is read whole', async () => {
    const f = join(tmp.dir, 'big.bin');
    await writeFile(f, new Uint8Array(2048).fill(7));
    await expect(readRegularFile(f, 1024)).rejects.toThrow('it is 2048 bytes, more than the 1024');
    expect((await readRegularFile(f, 4096)).length).toBe(2048);
  });
});
