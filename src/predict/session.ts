/**
 * The one user of onnxruntime-node (STYLE.md §6). A {@link SegSession} runs a PaddleSeg
 * model on the CPU with graph optimisation `all`, sequential execution (parallel mode halves
 * the speed on this kind of network) and intra-op threads = cores unless set. Models are
 * loaded from bytes, so predict can run an in-memory edited graph.
 *
 * onnxruntime-node's `run` computes synchronously on the calling thread (its promise only
 * defers the start with `setImmediate`), so a session on the main thread would block every
 * decode, resize and PNG write for the whole inference. The session therefore lives in a
 * worker thread; the main thread keeps preparing the next images and writing the previous
 * ones while the network runs (issue 5's pipeline). Inputs are copied to the worker, outputs
 * are transferred back.
 */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { messageOf, PdsegError } from '../errors.js';

/** Options of {@link SegSession.create}. */
export interface SessionOptions {
  /** Intra-op threads (default: number of cores). */
  threads?: number;
  /** Memory pattern optimisation (default off: saves memory, costs nothing measurable here). */
  memPattern?: boolean;
  /** Name used in error messages (a file path). */
  source?: string;
  /**
   * Move the model bytes to the worker instead of copying them (the caller gives them up;
   * saves one copy of the weights at the moment of peak memory).
   */
  transfer?: boolean;
  /**
   * Write onnxruntime's own profile (chrome-trace JSON, one event per node run) to a file
   * starting with this prefix; it is complete once the session is released.
   */
  profilePrefix?: string;
}

/** Options of {@link SegSession.run}. */
export interface RunOptions {
  /** Move the input's buffer to the worker instead of copying it (the caller gives it up). */
  transfer?: boolean;
}

/** A typed output tensor copied out of onnxruntime. */
export interface OutputTensor {
  dims: number[];
  data: Uint8Array | Float32Array | BigInt64Array | Int32Array;
}

/** Messages from the worker. */
type Reply =
  | { type: 'created'; inputName: string; outputName: string }
  | { type: 'result'; id: number; dims: number[]; data: OutputTensor['data'] }
  | { type: 'error'; id?: number; message: string };

/**
 * The worker's program (CommonJS, run with `eval`, so it works the same from `src/` under
 * the test runner and from `dist/`). It loads onnxruntime-node from the path resolved here.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const ort = require(workerData.ortPath);
let session;
let profiling = false;
// Messages are handled strictly one after another: a run posted while another is computing
// waits here and starts the moment the previous result is posted (no round trip through
// the main thread between two runs).
const queue = [];
let busy = false;
async function handle(m) {
  if (m.type === 'create') {
    session = await ort.InferenceSession.create(m.bytes, m.options);
    profiling = m.options.enableProfiling === true;
    parentPort.postMessage({ type: 'created', inputName: session.inputNames[0], outputName: session.outputNames[0] });
  } else if (m.type === 'run') {
    const input = new ort.Tensor('float32', m.data, m.dims);
    try {
      const result = await session.run({ [session.inputNames[0]]: input }, [session.outputNames[0]]);
      const t = result[session.outputNames[0]];
      const data = t.data.slice();
      parentPort.postMessage({ type: 'result', id: m.id, dims: [...t.dims], data }, [data.buffer]);
    } finally {
      input.dispose();
    }
  } else if (m.type === 'release') {
    if (session && profiling) session.endProfiling();
    if (session) await session.release();
    parentPort.close();
  }
}
async function drain() {
  busy = true;
  while (queue.length > 0) {
    const m = queue.shift();
    try {
      await handle(m);
    } catch (e) {
      parentPort.postMessage({ type: 'error', id: m.id, message: e instanceof Error ? e.message : String(e) });
    }
  }
  busy = false;
}
parentPort.on('message', (m) => {
  queue.push(m);
  if (!busy) void drain();
});
`;

/**
 * The transfer list that moves `view`'s buffer to the worker: only when asked, and only when
 * the view covers its whole buffer (a view into a larger buffer is copied, as without it).
 */
function transferList(view: ArrayBufferView, wanted: boolean | undefined): ArrayBuffer[] {
  const b = view.buffer;
  return wanted && b instanceof ArrayBuffer && view.byteOffset === 0 && view.byteLength === b.byteLength
    ? [b]
    : [];
}

/** An onnxruntime inference session with one float32 NCHW input, run in a worker thread. */
export class SegSession {
  private nextId = 1;
  private exited = false;
  private readonly pending = new Map<
    number,
    { resolve: (o: OutputTensor) => void; reject: (e: unknown) => void }
  >();

  private constructor(
    private readonly worker: Worker,
    /** Name of the input tensor. */
    readonly inputName: string,
    /** Name of the output tensor read by {@link run}. */
    readonly outputName: string,
  ) {
    worker.on('message', (reply: Reply) => {
      if (reply.type === 'created' || reply.id === undefined) return;
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.pending.delete(reply.id);
      if (this.pending.size === 0) worker.unref();
      if (reply.type === 'result') p.resolve({ dims: reply.dims, data: reply.data });
      else p.reject(new PdsegError('WORK_FAILED', `onnxruntime failed to run the model: ${reply.message}`));
    });
    worker.on('error', (e) => this.failAll(e));
    worker.on('exit', () => {
      this.exited = true;
      this.failAll(new Error('the onnxruntime worker exited'));
    });
  }

  private failAll(e: unknown): void {
    for (const p of this.pending.values()) {
      p.reject(
        new PdsegError('WORK_FAILED', `onnxruntime failed to run the model: ${messageOf(e)}`, { cause: e }),
      );
    }
    this.pending.clear();
  }

  /** Loads a model from its serialized bytes (copied to the session's worker thread unless `transfer`). */
  static async create(bytes: Uint8Array, options: SessionOptions = {}): Promise<SegSession> {
    const threads = options.threads ?? availableParallelism();
    const ortPath = createRequire(import.meta.url).resolve('onnxruntime-node');
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { ortPath } });
    const fail = (message: string, cause?: unknown) =>
      new PdsegError(
        'MODEL_FORMAT',
        `onnxruntime cannot load the model${options.source ? ` "${options.source}"` : ''}: ${message}`,
        { cause },
      );
    const created = await new Promise<Extract<Reply, { type: 'created' }>>((resolve, reject) => {
      const onMessage = (reply: Reply) => {
        worker.off('error', onError);
        if (reply.type === 'created') resolve(reply);
        else reject(fail(reply.type === 'error' ? reply.message : `unexpected reply ${reply.type}`));
      };
      const onError = (e: Error) => {
        worker.off('message', onMessage);
        reject(fail(e.message, e));
      };
      worker.once('message', onMessage);
      worker.once('error', onError);
      worker.postMessage(
        {
          type: 'create',
          bytes,
          options: {
            executionProviders: ['cpu'],
            graphOptimizationLevel: 'all',
            executionMode: 'sequential',
            intraOpNumThreads: threads,
            interOpNumThreads: 1,
            enableMemPattern: options.memPattern ?? false,
            logSeverityLevel: 3,
            ...(options.profilePrefix
              ? { enableProfiling: true, profileFilePrefix: options.profilePrefix }
              : {}),
          },
        },
        transferList(bytes, options.transfer),
      );
    }).catch(async (e) => {
      await worker.terminate();
      throw e;
    });
    // An idle session does not keep the process alive; a pending run does.
    worker.unref();
    return new SegSession(worker, created.inputName, created.outputName);
  }

  /**
   * Runs one batch `[n, c, h, w]` of float32 NCHW data and returns the first output. Runs
   * are queued in the worker and computed one after another in call order, so a caller that
   * posts the next batch before the current one finishes keeps the cores busy without a gap.
   * With `transfer`, `data`'s buffer is moved to the worker instead of copied (it is
   * detached here afterwards; only for a buffer the caller does not use again).
   */
  run(data: Float32Array, dims: readonly number[], options: RunOptions = {}): Promise<OutputTensor> {
    if (this.exited) {
      return Promise.reject(new PdsegError('WORK_FAILED', 'the onnxruntime session was released'));
    }
    const id = this.nextId++;
    return new Promise<OutputTensor>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.ref();
      this.worker.postMessage(
        { type: 'run', id, data, dims: [...dims] },
        transferList(data, options.transfer),
      );
    });
  }

  /** Frees the session and ends its worker thread. */
  async release(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    // Keep the process alive until the worker has released the session and ended.
    this.worker.ref();
    this.worker.postMessage({ type: 'release' });
    await exited;
  }
}
