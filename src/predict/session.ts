/**
 * The one importer of onnxruntime-node (STYLE.md §6). A {@link SegSession} runs a PaddleSeg
 * model on the CPU with graph optimisation `all`, sequential execution (parallel mode halves
 * the speed on this kind of network) and intra-op threads = cores unless set. Models are
 * loaded from bytes, so predict can run an in-memory edited graph.
 */
import { availableParallelism } from 'node:os';
import * as ort from 'onnxruntime-node';
import { messageOf, PdsegError } from '../errors.js';

/** Options of {@link SegSession.create}. */
export interface SessionOptions {
  /** Intra-op threads (default: number of cores). */
  threads?: number;
  /** Memory pattern optimisation (default off: saves memory, costs nothing measurable here). */
  memPattern?: boolean;
  /** Name used in error messages (a file path). */
  source?: string;
}

/** A typed output tensor copied out of onnxruntime. */
export interface OutputTensor {
  dims: number[];
  data: Uint8Array | Float32Array | BigInt64Array | Int32Array;
}

/** An onnxruntime inference session with one float32 NCHW input. */
export class SegSession {
  private constructor(
    private readonly session: ort.InferenceSession,
    /** Name of the input tensor. */
    readonly inputName: string,
    /** Name of the output tensor read by {@link run}. */
    readonly outputName: string,
  ) {}

  /** Loads a model from its serialized bytes. */
  static async create(bytes: Uint8Array, options: SessionOptions = {}): Promise<SegSession> {
    const threads = options.threads ?? availableParallelism();
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(bytes, {
        executionProviders: ['cpu'],
        graphOptimizationLevel: 'all',
        executionMode: 'sequential',
        intraOpNumThreads: threads,
        interOpNumThreads: 1,
        enableMemPattern: options.memPattern ?? false,
        logSeverityLevel: 3,
      });
    } catch (e) {
      throw new PdsegError(
        'MODEL_FORMAT',
        `onnxruntime cannot load the model${options.source ? ` "${options.source}"` : ''}: ${messageOf(e)}`,
        { cause: e },
      );
    }
    return new SegSession(session, session.inputNames[0] as string, session.outputNames[0] as string);
  }

  /** Runs one batch `[n, c, h, w]` of float32 NCHW data and returns the first output. */
  async run(data: Float32Array, dims: readonly number[]): Promise<OutputTensor> {
    const input = new ort.Tensor('float32', data, dims as number[]);
    try {
      const result = await this.session.run({ [this.inputName]: input }, [this.outputName]);
      const t = result[this.outputName] as ort.Tensor;
      const out = { dims: [...t.dims], data: t.data as OutputTensor['data'] };
      return out;
    } catch (e) {
      throw new PdsegError('WORK_FAILED', `onnxruntime failed to run the model: ${messageOf(e)}`, {
        cause: e,
      });
    } finally {
      input.dispose();
    }
  }

  /** Frees the native session. */
  async release(): Promise<void> {
    await this.session.release();
  }
}
