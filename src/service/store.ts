/**
 * The embedded, content-addressed model store (issue 8). Layout under the data folder:
 *
 *     models/<id>.model   the uploaded bytes, named by their id (never by user input)
 *     models/<id>.json    metadata ({@link ModelMeta}); its presence publishes the model
 *     tmp/                uploads in progress; emptied at every start
 *     server.lock         pid of the process serving this folder
 *
 * An upload streams into `tmp/` while its SHA-256 is computed, is fsynced, renamed into
 * `models/`, and only then gets its metadata file (written atomically). A crash at any
 * point leaves nothing visible: the next {@link ModelStore.open} deletes temporary files
 * and model files without metadata, and rebuilds the index from the metadata files.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  type FileHandle,
  mkdir,
  open,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises';
import { join } from 'node:path';
import { isPdsegError, messageOf, PdsegError } from '../errors.js';
import { writeFileAtomic } from '../util/atomic.js';
import { idFromHash, isModelId } from './ids.js';

/** Metadata kept beside each model and served by `GET /api/models/<id>/meta`. */
export interface ModelMeta {
  id: string;
  /** `onnx` or `paddle`. */
  format: string;
  /** Bytes. */
  size: number;
  /** ISO 8601 time of the first upload. */
  uploadedAt: string;
  /** The file name the uploader gave, as text only (never used as a path). */
  originalName?: string;
  nodeCount: number;
}

/** What {@link ModelStore.open} found and cleaned. */
export interface OpenReport {
  models: number;
  bytes: number;
  removedTemporary: number;
  removedIncomplete: number;
}

/** Options of {@link ModelStore.open}. */
export interface StoreOptions {
  /** Data folder; created when missing. */
  dir: string;
  /** Total bytes of models to keep; the oldest are evicted beyond it. Unlimited when unset. */
  maxStorage?: number;
  /** Clock, injectable for tests. */
  now?: () => Date;
}

/** An upload being written to a temporary file. */
export interface IncomingUpload {
  /** Appends bytes; throws `PdsegError('SERVICE')` with `tooLarge` once `maxSize` is passed. */
  write(chunk: Uint8Array): Promise<void>;
  /** Flushes and closes the file; returns the content's id and size. */
  finish(): Promise<ReceivedUpload>;
  /** Closes and deletes the temporary file. Safe to call more than once. */
  abort(): Promise<void>;
}

/** A complete upload still in `tmp/`, waiting for validation and {@link ModelStore.commit}. */
export interface ReceivedUpload {
  id: string;
  size: number;
  tempPath: string;
}

/** Thrown by {@link IncomingUpload.write} when the limit is passed. */
export class UploadTooLargeError extends PdsegError {
  /** The limit that was passed, in bytes. */
  readonly limit: number;
  constructor(limit: number) {
    super('SERVICE', `the upload is larger than the server's limit of ${limit} bytes`, { exitCode: 2 });
    this.limit = limit;
  }
}

const META_NAME = /^([0-9a-f]{32})\.json$/;
const MODEL_NAME = /^([0-9a-f]{32})\.model$/;

async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function parseMeta(text: string, id: string): ModelMeta | undefined {
  try {
    const m = JSON.parse(text) as ModelMeta;
    const ok =
      m.id === id &&
      typeof m.format === 'string' &&
      Number.isSafeInteger(m.size) &&
      typeof m.uploadedAt === 'string' &&
      Number.isSafeInteger(m.nodeCount);
    return ok ? m : undefined;
  } catch {
    return undefined; // reported by the caller as an incomplete entry and removed
  }
}

/** The model store of one server. Not safe to share one data folder between processes. */
export class ModelStore {
  readonly #models: string;
  readonly #tmp: string;
  readonly #lockFile: string;
  readonly #maxStorage: number | undefined;
  readonly #now: () => Date;
  readonly #index = new Map<string, ModelMeta>();
  readonly #commits = new Map<string, Promise<unknown>>();
  #bytes = 0;

  private constructor(options: StoreOptions) {
    this.#models = join(options.dir, 'models');
    this.#tmp = join(options.dir, 'tmp');
    this.#lockFile = join(options.dir, 'server.lock');
    this.#maxStorage = options.maxStorage;
    this.#now = options.now ?? (() => new Date());
  }

  /** Opens (creating if needed) the store in `options.dir`, cleans up and rebuilds the index. */
  static async open(options: StoreOptions): Promise<{ store: ModelStore; report: OpenReport }> {
    const store = new ModelStore(options);
    try {
      await mkdir(store.#models, { recursive: true });
      await mkdir(store.#tmp, { recursive: true });
    } catch (e) {
      throw new PdsegError('IO', `cannot create the data folder '${options.dir}': ${messageOf(e)}`, {
        cause: e,
      });
    }
    await store.#lock(options.dir);
    const report = await store.#rebuild();
    await store.#evict(undefined);
    report.models = store.#index.size;
    report.bytes = store.#bytes;
    return { store, report };
  }

  /**
   * Claims the folder for this process: start-up cleaning would delete another live
   * server's uploads. A lock left by a dead process (a crash, SIGKILL) is taken over.
   */
  async #lock(dir: string): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await writeFile(this.#lockFile, `${process.pid}\n`, { flag: 'wx' });
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw new PdsegError('IO', `cannot lock the data folder '${dir}': ${messageOf(e)}`, { cause: e });
        }
      }
      const pid = Number((await readFile(this.#lockFile, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && processAlive(pid)) {
        throw new PdsegError(
          'SERVICE',
          `the data folder '${dir}' is in use by another pdseg service (pid ${pid}); stop it or choose another --data`,
        );
      }
      await rm(this.#lockFile, { force: true });
    }
    throw new PdsegError('IO', `cannot lock the data folder '${dir}': the lock file keeps changing`);
  }

  /** Releases the folder (the server calls this when it stops). */
  async release(): Promise<void> {
    const pid = Number((await readFile(this.#lockFile, 'utf8').catch(() => '')).trim());
    if (pid === process.pid) await rm(this.#lockFile, { force: true });
  }

  async #rebuild(): Promise<OpenReport> {
    const report: OpenReport = { models: 0, bytes: 0, removedTemporary: 0, removedIncomplete: 0 };
    for (const name of await readdir(this.#tmp)) {
      await rm(join(this.#tmp, name), { recursive: true, force: true });
      report.removedTemporary++;
    }
    const names = await readdir(this.#models);
    for (const name of names) {
      const m = META_NAME.exec(name);
      if (!m) continue;
      const id = m[1]!;
      const meta = parseMeta(await readFile(join(this.#models, name), 'utf8'), id);
      const size = await stat(this.#modelFile(id)).then(
        (s) => s.size,
        () => -1,
      );
      if (meta && meta.size === size) {
        this.#index.set(id, meta);
        this.#bytes += size;
      } else {
        await rm(join(this.#models, name), { force: true });
        report.removedIncomplete++;
      }
    }
    for (const name of names) {
      const m = MODEL_NAME.exec(name);
      const leftover = m ? !this.#index.has(m[1]!) : /\.tmp-/.test(name);
      if (leftover) {
        await rm(join(this.#models, name), { force: true });
        report.removedIncomplete++;
      }
    }
    return report;
  }

  #modelFile(id: string): string {
    return join(this.#models, `${id}.model`);
  }

  /** Metadata of a stored model, or `undefined`. Never touches the disk. */
  get(id: string): ModelMeta | undefined {
    return isModelId(id) ? this.#index.get(id) : undefined;
  }

  /** Path of a stored model's file; only for ids that {@link get} knows. */
  filePath(id: string): string {
    if (!this.#index.has(id)) throw new PdsegError('SERVICE', `no model with id '${id}'`);
    return this.#modelFile(id);
  }

  /** Number of stored models and their total bytes. */
  get usage(): { models: number; bytes: number } {
    return { models: this.#index.size, bytes: this.#bytes };
  }

  /** Starts receiving an upload of at most `maxSize` bytes into a temporary file. */
  async begin(maxSize: number): Promise<IncomingUpload> {
    const tempPath = join(this.#tmp, `upload-${process.pid}-${randomBytes(8).toString('hex')}`);
    const fh: FileHandle = await open(tempPath, 'wx');
    const hash = createHash('sha256');
    let size = 0;
    let closed = false;
    const close = async () => {
      if (!closed) {
        closed = true;
        await fh.close();
      }
    };
    return {
      async write(chunk) {
        size += chunk.byteLength;
        if (size > maxSize) throw new UploadTooLargeError(maxSize);
        hash.update(chunk);
        await fh.write(chunk);
      },
      async finish() {
        await fh.sync();
        await close();
        return { id: idFromHash(hash), size, tempPath };
      },
      async abort() {
        await close().catch(() => {});
        await rm(tempPath, { force: true });
      },
    };
  }

  /**
   * Publishes a received upload under its id, or, when that content is already stored,
   * deletes the temporary file and returns the existing entry (`created: false`).
   */
  async commit(
    upload: ReceivedUpload,
    facts: { format: string; nodeCount: number; originalName?: string },
  ): Promise<{ meta: ModelMeta; created: boolean }> {
    const { id } = upload;
    // Uploads of the same bytes at the same time publish once, one after the other.
    while (this.#commits.has(id)) await this.#commits.get(id)!.catch(() => {});
    const existing = this.#index.get(id);
    if (existing) {
      await rm(upload.tempPath, { force: true });
      return { meta: existing, created: false };
    }
    const work = this.#publish(upload, facts);
    this.#commits.set(id, work);
    try {
      return { meta: await work, created: true };
    } finally {
      this.#commits.delete(id);
    }
  }

  async #publish(
    upload: ReceivedUpload,
    facts: { format: string; nodeCount: number; originalName?: string },
  ): Promise<ModelMeta> {
    const { id, size } = upload;
    const meta: ModelMeta = {
      id,
      format: facts.format,
      size,
      uploadedAt: this.#now().toISOString(),
      ...(facts.originalName ? { originalName: facts.originalName } : {}),
      nodeCount: facts.nodeCount,
    };
    try {
      await rename(upload.tempPath, this.#modelFile(id));
      await writeFileAtomic(join(this.#models, `${id}.json`), `${JSON.stringify(meta, null, 2)}\n`);
      await syncDir(this.#models);
    } catch (e) {
      await rm(upload.tempPath, { force: true });
      await rm(this.#modelFile(id), { force: true });
      throw isPdsegError(e)
        ? e
        : new PdsegError('IO', `cannot store model ${id} in '${this.#models}': ${messageOf(e)}`, {
            cause: e,
          });
    }
    this.#index.set(id, meta);
    this.#bytes += size;
    await this.#evict(id);
    return meta;
  }

  /** Deletes the oldest models (never `keep`) until the total fits `maxStorage`. */
  async #evict(keep: string | undefined): Promise<string[]> {
    const evicted: string[] = [];
    if (this.#maxStorage === undefined || this.#bytes <= this.#maxStorage) return evicted;
    const oldest = [...this.#index.values()]
      .filter((m) => m.id !== keep)
      .sort((a, b) => a.uploadedAt.localeCompare(b.uploadedAt) || a.id.localeCompare(b.id));
    for (const m of oldest) {
      if (this.#bytes <= this.#maxStorage) break;
      this.#index.delete(m.id);
      this.#bytes -= m.size;
      // Metadata first: a crash in between leaves a model file that the next start removes.
      await rm(join(this.#models, `${m.id}.json`), { force: true });
      await rm(this.#modelFile(m.id), { force: true });
      evicted.push(m.id);
    }
    return evicted;
  }
}
