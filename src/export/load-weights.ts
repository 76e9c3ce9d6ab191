/**
 * Fills the parameters a network declared from a Paddle checkpoint (spec §5.2, STYLE.md §3):
 * every parameter must be present with the declared shape and float32 data, else
 * `WEIGHT_MISSING` / `WEIGHT_SHAPE_MISMATCH` naming the parameter, the expected and the
 * found shape (for `logit/*` also the NUM_CLASSES the checkpoint was trained with).
 * `skipMismatch` reproduces PaddleSeg's behaviour instead: warn `[SKIP] name` and keep a
 * seeded initial value. Each tensor's bytes go straight into its initializer's `rawData`,
 * so the weights are held once.
 */
import { PdsegError } from '../errors.js';
import type { ProgressSink } from '../events.js';
import type { TensorProto } from '../onnx/types.js';
import type { ParamSpec } from '../program/program.js';
import { initialValue } from './initial-values.js';

/** What the loader needs from a checkpoint (the `Checkpoint` of `src/paddle/checkpoint.ts` fits). */
export interface WeightSource {
  /** Where the weights were read from, for messages. */
  readonly path?: string;
  names(): Iterable<string> | Promise<Iterable<string>>;
  has(name: string): boolean;
  info(name: string): { name: string; dims: readonly number[]; dtype: string } | undefined;
  read(name: string): Promise<{ dims: readonly number[]; dtype: string; data: ArrayBufferView }>;
}

/** Options of {@link loadWeights}. */
export interface LoadWeightsOptions {
  /** Keep initial values for missing or mismatched parameters (PaddleSeg's behaviour), with a warning. */
  skipMismatch?: boolean;
  onEvent?: ProgressSink;
  /** Where the checkpoint is, for messages. */
  checkpointPath: string;
  /** The architecture, for the hints of missing/mismatch errors (default PSPNet's keys). */
  network?: NetworkHint;
  /**
   * Check every parameter now but read its data only when the model is written: each
   * initializer gets a `rawDataSource` instead of `rawData` (see `encodeModelStream`), so
   * reading overlaps writing and the weights are never all in memory. The source must stay
   * open until the model is written.
   */
  lazy?: boolean;
}

/** What {@link loadWeights} did. */
export interface LoadWeightsResult {
  loaded: number;
  /** Parameters kept at their initial value (only with `skipMismatch`). */
  skipped: string[];
  /** Checkpoint variables the network does not use (optimizer state, counters…). */
  unused: string[];
  /** Bytes of weight data loaded. */
  bytes: number;
}

function shape(dims: readonly number[]): string {
  return `[${dims.join(', ')}]`;
}

/** The architecture a checkpoint is checked against, for the hints of mismatch errors. */
export interface NetworkHint {
  /** `PSPNet`, `UNet`, … */
  label: string;
  /** The config keys that decide parameter names and shapes. */
  keys: readonly string[];
}

const DEFAULT_HINT: NetworkHint = {
  label: 'PSPNet',
  keys: ['MODEL.PSPNET.LAYERS', 'MODEL.PSPNET.DEPTH_MULTIPLIER'],
};

function keyList(keys: readonly string[]): string {
  return keys.length <= 1 ? keys.join('') : `${keys.slice(0, -1).join(', ')} and ${keys.at(-1)}`;
}

function mismatchHint(p: ParamSpec, found: readonly number[], hint: NetworkHint): string {
  if (p.name.startsWith('logit/') && found.length > 0 && found[0] !== p.dims[0]) {
    return (
      ` The checkpoint was trained with DATASET.NUM_CLASSES ${found[0]}, the config asks for ${p.dims[0]}:` +
      ` pass DATASET.NUM_CLASSES ${found[0]}, or --skip-mismatch to keep an untrained logit layer.`
    );
  }
  return ` Check ${keyList([...hint.keys, 'DATASET.IMAGE_TYPE'])} against the checkpoint, or pass --skip-mismatch.`;
}

function bytesOf(data: ArrayBufferView): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * Loads every parameter in `params` from `source` into the matching initializer of
 * `initializers` (same name), in declaration order, emitting `weights` progress.
 */
export async function loadWeights(
  params: readonly ParamSpec[],
  initializers: readonly TensorProto[],
  source: WeightSource,
  options: LoadWeightsOptions,
): Promise<LoadWeightsResult> {
  const emit = options.onEvent ?? (() => {});
  const hint = options.network ?? DEFAULT_HINT;
  const byName = new Map(initializers.map((t) => [t.name, t]));
  const skipped: string[] = [];
  let loaded = 0;
  let bytes = 0;
  const skip = (p: ParamSpec, error: PdsegError): void => {
    if (!options.skipMismatch) throw error;
    emit({ type: 'warn', task: 'weights', message: `[SKIP] ${p.name}: ${error.message}` });
    skipped.push(p.name);
    byName.get(p.name)!.rawData = bytesOf(initialValue(p));
  };
  const total = params.reduce((n, p) => n + 4 * p.dims.reduce((a, b) => a * b, 1), 0);
  let done = 0;
  for (const p of params) {
    const target = byName.get(p.name);
    if (!target) throw new RangeError(`no initializer for parameter "${p.name}"`);
    if (!source.has(p.name)) {
      skip(
        p,
        new PdsegError(
          'WEIGHT_MISSING',
          `parameter "${p.name}" (shape ${shape(p.dims)}) is not in the checkpoint "${options.checkpointPath}".` +
            ` Check TEST.TEST_MODEL points at a ${hint.label} checkpoint with the configured ${keyList(hint.keys)}, or pass --skip-mismatch.`,
        ),
      );
      continue;
    }
    const info = source.info(p.name)!;
    const same = info.dims.length === p.dims.length && info.dims.every((d, i) => d === p.dims[i]);
    if (!same) {
      skip(
        p,
        new PdsegError(
          'WEIGHT_SHAPE_MISMATCH',
          `parameter "${p.name}" in "${options.checkpointPath}" has shape ${shape(info.dims)}, the network expects ${shape(p.dims)}.` +
            mismatchHint(p, info.dims, hint),
        ),
      );
      continue;
    }
    if (info.dtype !== 'float32') {
      skip(
        p,
        new PdsegError(
          'WEIGHT_FORMAT',
          `parameter "${p.name}" in "${options.checkpointPath}" is ${info.dtype}, the network needs float32 (FP32).`,
        ),
      );
      continue;
    }
    const size = 4 * p.dims.reduce((a, b) => a * b, 1);
    const load = async (): Promise<Uint8Array> => {
      const data = bytesOf((await source.read(p.name)).data);
      done += size;
      emit({ type: 'progress', task: 'weights', done, total, unit: 'bytes' });
      return data;
    };
    if (options.lazy) target.rawDataSource = { byteLength: size, load };
    else target.rawData = await load();
    bytes += size;
    loaded++;
  }
  const needed = new Set(params.map((p) => p.name));
  const unused = [...(await source.names())].filter((n) => !needed.has(n)).sort();
  return { loaded, skipped, unused, bytes };
}
