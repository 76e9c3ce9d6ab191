import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PdsegError } from '../../src/errors.js';
import { ModelStore, UploadTooLargeError } from '../../src/service/store.js';
import { tempDir } from '../helpers.js';
import { expectedId, tinyOnnx } from './fixtures.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function dataDir(): Promise<string> {
  const { dir, cleanup } = await tempDir('pdseg-store-');
  cleanups.push(cleanup);
  return dir;
}

async function put(store: ModelStore, bytes: Uint8Array, max = 1e6) {
  const up = await store.begin(max);
  // Two writes, to cover hashing across chunks.
  await up.write(bytes.subarray(0, 10));
  await up.write(bytes.subarray(10));
  const received = await up.finish();
  return store.commit(received, { format: 'onnx', nodeCount: 3, originalName: 'm.onnx' });
}

describe('ModelStore', () => {
  it('stores content under the first 128 bits of its SHA-256 and dedupes', async () => {
    const dir = await dataDir();
    const { store } = await ModelStore.open({ dir });
    const bytes = tinyOnnx('a');
    const first = await put(store, bytes);
    expect(first.created).toBe(true);
    expect(first.meta.id).toBe(expectedId(bytes));
    expect(first.meta.size).toBe(bytes.length);
    const again = await put(store, bytes);
    expect(again).toEqual({ meta: first.meta, created: false });
    expect((await readdir(join(dir, 'models'))).sort()).toEqual([
      `${first.meta.id}.json`,
      `${first.meta.id}.model`,
    ]);
    expect(await readdir(join(dir, 'tmp'))).toEqual([]);
  });

  it('stops a write past the limit with UploadTooLargeError and abort leaves nothing', async () => {
    const dir = await dataDir();
    const { store } = await ModelStore.open({ dir });
    const up = await store.begin(100);
    await up.write(new Uint8Array(60));
    const err = await up.write(new Uint8Array(60)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UploadTooLargeError);
    expect(err).toBeInstanceOf(PdsegError);
    expect((err as PdsegError).message).toContain('limit of 100 bytes');
    await up.abort();
    expect(await readdir(join(dir, 'tmp'))).toEqual([]);
  });

  it('rebuilds the index at start and removes temporary and incomplete files', async () => {
    const dir = await dataDir();
    const a = tinyOnnx('a');
    {
      const { store } = await ModelStore.open({ dir });
      await put(store, a);
    }
    const orphan = '0123456789abcdef0123456789abcdef';
    await writeFile(join(dir, 'tmp', 'upload-1-deadbeef'), 'half an upload');
    await writeFile(join(dir, 'models', `${orphan}.model`), 'renamed but never published');
    await writeFile(join(dir, 'models', `.${orphan}.json.tmp-1-abcd`), '{');
    const { store, report } = await ModelStore.open({ dir });
    expect(report).toEqual({ models: 1, bytes: a.length, removedTemporary: 1, removedIncomplete: 2 });
    expect(store.get(expectedId(a))?.originalName).toBe('m.onnx');
    expect(store.get(orphan)).toBeUndefined();
    expect(await readdir(join(dir, 'tmp'))).toEqual([]);
    expect((await readdir(join(dir, 'models'))).length).toBe(2);
  });

  it('evicts the oldest models beyond max storage', async () => {
    const dir = await dataDir();
    let t = Date.UTC(2026, 0, 1);
    const now = () => {
      t += 1000;
      return new Date(t);
    };
    const models = ['a', 'b', 'c'].map((tag) => tinyOnnx(tag));
    const size = models[0]!.length;
    expect(models.every((m) => m.length === size)).toBe(true);
    const { store } = await ModelStore.open({ dir, maxStorage: 2 * size, now });
    for (const m of models) await put(store, m);
    expect(store.get(expectedId(models[0]!))).toBeUndefined();
    expect(store.get(expectedId(models[1]!))).toBeDefined();
    expect(store.get(expectedId(models[2]!))).toBeDefined();
    expect(store.usage).toEqual({ models: 2, bytes: 2 * size });
    expect((await readdir(join(dir, 'models'))).length).toBe(4);
  });

  it('answers unknown for ids that are not 32 lowercase hex without touching the disk', async () => {
    const dir = await dataDir();
    await mkdir(dir, { recursive: true });
    const { store } = await ModelStore.open({ dir });
    expect(store.get('../x')).toBeUndefined();
    expect(() => store.filePath('../x')).toThrow(PdsegError);
  });
});
