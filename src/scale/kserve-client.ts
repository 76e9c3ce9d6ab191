/**
 * `pdseg predict --server URL`: a {@link LabelRunner} that sends each preprocessed batch to a
 * KServe v2 inference endpoint (Triton, KServe, Seldon MLServer) instead of running
 * onnxruntime here, with the binary tensor extension: the request is a JSON header of
 * `Inference-Header-Content-Length` bytes followed by the raw float32 input, and the output
 * comes back the same way. A label output (UINT8/INT64, the `--triton-head argmax` model)
 * is used as it is; probabilities (FP32, the softmax model) are reduced to labels here with
 * the same first-maximum rule as the local ArgMax.
 */
import { PdsegError } from '../errors.js';
import type { OutputTensor, RunOptions } from '../predict/session.js';

interface TensorMeta {
  name: string;
  datatype: string;
  shape: number[];
}

/** A KServe v2 model endpoint as a label runner. */
export class KserveRunner {
  readonly #infer: string;
  readonly #input: TensorMeta;
  readonly #output: TensorMeta;

  private constructor(infer: string, input: TensorMeta, output: TensorMeta) {
    this.#infer = infer;
    this.#input = input;
    this.#output = output;
  }

  /** Reads the model's metadata (`GET /v2/models/NAME`) and checks it is a segmentation model. */
  static async connect(server: string, model: string): Promise<KserveRunner> {
    const base = `${server.replace(/\/+$/, '')}/v2/models/${encodeURIComponent(model)}`;
    let meta: { inputs?: TensorMeta[]; outputs?: TensorMeta[] };
    try {
      const r = await fetch(base);
      if (!r.ok) throw new Error(`HTTP ${r.status} ${(await r.text()).slice(0, 200)}`);
      meta = (await r.json()) as typeof meta;
    } catch (e) {
      throw new PdsegError(
        'SERVICE',
        `cannot read model "${model}" from the inference server ${server} (${(e as Error).message}); check --server and --server-model`,
        { cause: e },
      );
    }
    const input = meta.inputs?.[0];
    const output = meta.outputs?.[0];
    if (!input || !output || meta.inputs!.length !== 1 || meta.outputs!.length !== 1) {
      throw new PdsegError(
        'SERVICE',
        `model "${model}" on ${server} must have one input and one output, as pdseg exports it`,
      );
    }
    if (input.datatype !== 'FP32') {
      throw new PdsegError(
        'SERVICE',
        `model "${model}" on ${server} takes ${input.datatype}, not the FP32 image pdseg sends`,
      );
    }
    if (!['UINT8', 'INT64', 'FP32'].includes(output.datatype)) {
      throw new PdsegError(
        'SERVICE',
        `model "${model}" on ${server} answers ${output.datatype}; pdseg reads UINT8/INT64 labels or FP32 probabilities`,
      );
    }
    return new KserveRunner(`${base}/infer`, input, output);
  }

  async run(data: Float32Array, dims: readonly number[], _options: RunOptions = {}): Promise<OutputTensor> {
    const header = new TextEncoder().encode(
      JSON.stringify({
        inputs: [
          {
            name: this.#input.name,
            shape: dims,
            datatype: 'FP32',
            parameters: { binary_data_size: data.byteLength },
          },
        ],
        outputs: [{ name: this.#output.name, parameters: { binary_data: true } }],
      }),
    );
    const body = new Uint8Array(header.byteLength + data.byteLength);
    body.set(header, 0);
    body.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), header.byteLength);
    let bytes: Uint8Array;
    let headerLength: number;
    try {
      const r = await fetch(this.#infer, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/octet-stream',
          'Inference-Header-Content-Length': String(header.byteLength),
        },
        body,
      });
      bytes = new Uint8Array(await r.arrayBuffer());
      if (!r.ok) throw new Error(`HTTP ${r.status} ${new TextDecoder().decode(bytes.subarray(0, 300))}`);
      headerLength = Number(r.headers.get('inference-header-content-length') ?? bytes.byteLength);
    } catch (e) {
      throw new PdsegError('SERVICE', `inference request to ${this.#infer} failed: ${(e as Error).message}`, {
        cause: e,
      });
    }
    const reply = JSON.parse(new TextDecoder().decode(bytes.subarray(0, headerLength))) as {
      outputs?: Array<TensorMeta & { parameters?: { binary_data_size?: number } }>;
    };
    const out = reply.outputs?.[0];
    if (!out)
      throw new PdsegError('SERVICE', `the inference server answered no output for ${this.#output.name}`);
    const raw = bytes.slice(
      headerLength,
      headerLength + (out.parameters?.binary_data_size ?? bytes.byteLength - headerLength),
    );
    const shape = out.shape.map(Number);
    if (out.datatype === 'UINT8') return { dims: shape, data: raw };
    if (out.datatype === 'INT64')
      return { dims: shape, data: new BigInt64Array(raw.buffer, 0, raw.byteLength / 8) };
    return argmaxClasses(new Float32Array(raw.buffer, 0, raw.byteLength / 4), shape);
  }
}

/** `[N, C, H, W]` probabilities → `[N, 1, H, W]` uint8 labels, first maximum on ties. */
export function argmaxClasses(p: Float32Array, [n, c, h, w]: number[]): OutputTensor {
  const plane = h! * w!;
  const labels = new Uint8Array(n! * plane);
  for (let b = 0; b < n!; b++)
    for (let i = 0; i < plane; i++) {
      let best = 0;
      let max = p[b * c! * plane + i]!;
      for (let k = 1; k < c!; k++) {
        const v = p[(b * c! + k) * plane + i]!;
        if (v > max) {
          max = v;
          best = k;
        }
      }
      labels[b * plane + i] = best;
    }
  return { dims: [n!, 1, h!, w!], data: labels };
}
