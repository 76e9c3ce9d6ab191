/**
 * A Triton Inference Server model repository for an exported model (Triton's onnxruntime
 * backend, KServe v2 protocol): `<dir>/<name>/config.pbtxt` + `<dir>/<name>/1/model.onnx`.
 *
 * `head`:
 * - `softmax` (default): the exported model as it is — float32 probabilities `[C, H, W]`.
 * - `argmax`: predict's label head (predict/argmax-graph.ts): the class-id map `[1, H, W]`,
 *   uint8 when the classes fit — 4·C× fewer output bytes (76× for 19 classes).
 *
 * The config declares `platform: "onnxruntime_onnx"`, the batch dimension through
 * `max_batch_size` (dims without it), the input and output names, types and dims read from
 * the graph, dynamic batching, and a CPU instance group (Triton's defaults otherwise).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PdsegError } from '../errors.js';
import { decodeModel } from '../onnx/decode.js';
import { encodeModel } from '../onnx/encode.js';
import { type ModelProto, TensorDataType, type ValueInfoProto } from '../onnx/types.js';
import { toArgmaxModel } from '../predict/argmax-graph.js';
import { settingsFromMetadata } from '../predict/settings.js';
import { writeFileAtomic } from '../util/atomic.js';

/** Options of {@link writeTritonRepository}. */
export interface TritonOptions {
  /** The repository folder (created if missing). */
  dir: string;
  /** Model name: the folder and Triton's `name` (default the model's MODEL_NAME). */
  name?: string;
  head?: 'softmax' | 'argmax';
  /** Largest batch Triton forms (default 8; 0 = no batching, dims then include N). */
  maxBatchSize?: number;
}

/** What was written. */
export interface TritonResult {
  name: string;
  configPath: string;
  modelPath: string;
  input: { name: string; dataType: string; dims: number[] };
  output: { name: string; dataType: string; dims: number[] };
}

const NAME = /^[A-Za-z0-9_.-]+$/;

/** Triton's `data_type` of an ONNX element type. */
export function tritonType(onnxType: number): string {
  const map: Record<number, string> = {
    [TensorDataType.FLOAT]: 'TYPE_FP32',
    [TensorDataType.UINT8]: 'TYPE_UINT8',
    [TensorDataType.INT64]: 'TYPE_INT64',
    [TensorDataType.INT32]: 'TYPE_INT32',
    [TensorDataType.FLOAT16]: 'TYPE_FP16',
  };
  const t = map[onnxType];
  if (!t) throw new PdsegError('MODEL_FORMAT', `ONNX element type ${onnxType} has no Triton data_type here`);
  return t;
}

function tensorOf(v: ValueInfoProto, batched: boolean): { name: string; dataType: string; dims: number[] } {
  const t = v.type?.tensorType;
  const dims = (t?.shape?.dim ?? []).map((d) => (d.dimValue === undefined ? -1 : Number(d.dimValue)));
  return { name: v.name, dataType: tritonType(t?.elemType ?? 0), dims: batched ? dims.slice(1) : dims };
}

/** The `config.pbtxt` text (protobuf text format of Triton's ModelConfig). */
export function tritonConfig(
  r: Pick<TritonResult, 'name' | 'input' | 'output'>,
  maxBatchSize: number,
): string {
  const tensor = (t: TritonResult['input']) =>
    `  {\n    name: ${JSON.stringify(t.name)}\n    data_type: ${t.dataType}\n    dims: [ ${t.dims.join(', ')} ]\n  }`;
  return [
    `name: ${JSON.stringify(r.name)}`,
    'platform: "onnxruntime_onnx"',
    `max_batch_size: ${maxBatchSize}`,
    `input [\n${tensor(r.input)}\n]`,
    `output [\n${tensor(r.output)}\n]`,
    ...(maxBatchSize > 0 ? ['dynamic_batching {\n  max_queue_delay_microseconds: 100\n}'] : []),
    'instance_group [\n  {\n    kind: KIND_CPU\n    count: 1\n  }\n]',
    '',
  ].join('\n');
}

/** Writes the repository entry for the model bytes of an export. */
export async function writeTritonRepository(modelBytes: Uint8Array, o: TritonOptions): Promise<TritonResult> {
  let model: ModelProto = decodeModel(modelBytes);
  const settings = settingsFromMetadata(model.metadataProps, 'model.onnx');
  const name = o.name ?? (model.metadataProps.find((m) => m.key === 'MODEL_NAME')?.value || 'pdseg');
  if (!NAME.test(name)) {
    throw new PdsegError(
      'USAGE',
      `--triton-name "${name}" must be letters, digits, '_', '.' or '-' (a folder and a Triton model name)`,
    );
  }
  let bytes = modelBytes;
  if ((o.head ?? 'softmax') === 'argmax') {
    model = toArgmaxModel(model, settings.numClasses).model;
    bytes = encodeModel(model);
  }
  const maxBatchSize = o.maxBatchSize ?? 8;
  if (!Number.isInteger(maxBatchSize) || maxBatchSize < 0) {
    throw new PdsegError(
      'USAGE',
      `--max-batch-size ${maxBatchSize} must be a whole number (0 disables batching)`,
    );
  }
  const g = model.graph!;
  const batched = maxBatchSize > 0;
  const result = {
    name,
    input: tensorOf(g.input.find((i) => !g.initializer.some((t) => t.name === i.name))!, batched),
    output: tensorOf(g.output[0]!, batched),
  };
  const folder = join(o.dir, name);
  await mkdir(join(folder, '1'), { recursive: true });
  const modelPath = join(folder, '1', 'model.onnx');
  const configPath = join(folder, 'config.pbtxt');
  await writeFileAtomic(modelPath, bytes);
  await writeFileAtomic(configPath, tritonConfig(result, maxBatchSize));
  return { ...result, configPath, modelPath };
}
