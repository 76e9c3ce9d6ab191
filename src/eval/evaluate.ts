/**
 * eval.py (spec §7.3) on onnxruntime: over `DATASET.VAL_FILE_LIST`, EVAL preprocessing
 * (image as vis.py; label NEAREST-resized and padded with IGNORE_INDEX), batches of
 * BATCH_SIZE, argmax of the logits (ArgMax graph), and a streaming confusion matrix at crop
 * resolution. Decoding of the next samples overlaps inference (bounded prefetch).
 */
import { access } from 'node:fs/promises';
import { basename, extname, join, relative } from 'node:path';
import { PdsegError } from '../errors.js';
import { type ProgressSink, silent } from '../events.js';
import { decodeImageFile, readModeFor } from '../predict/decode.js';
import { normalizationTables, preprocess, preprocessLabel } from '../predict/preprocess.js';
import { type LabelRunner, prefetchBatches, runAhead } from '../predict/run-ahead.js';
import type { PredictSettings } from '../predict/settings.js';
import { ConfusionMatrix } from './confusion-matrix.js';
import type { EvalSample } from './dataset-list.js';
import { computeMetrics, type SegMetrics } from './metrics.js';
import { readLabel } from './read-label.js';

/** Options of {@link evaluate}. */
export interface EvaluateOptions {
  samples: readonly EvalSample[];
  runner: LabelRunner;
  settings: PredictSettings;
  /** BATCH_SIZE (drop_last = False). */
  batchSize?: number;
  onEvent?: ProgressSink;
}

/** Result of {@link evaluate}. */
export interface EvalResult extends SegMetrics {
  images: number;
  numClasses: number;
  /** Row-major K×K counts (rows = label, columns = prediction). */
  confusionMatrix: number[][];
  seconds: number;
}

/** A sample waiting for its prediction (its input tensor travels separately, in the batch). */
interface Sample {
  label: Uint8Array;
  source: string;
}

/** Runs the evaluation; a bad image or label stops it with a PdsegError naming the file. */
export async function evaluate(o: EvaluateOptions): Promise<EvalResult> {
  const emit = o.onEvent ?? silent;
  const s = o.settings;
  const batchSize = Math.max(1, o.batchSize ?? 1);
  const [cw, ch] = s.cropSize;
  const plane = cw * ch;
  const tables = normalizationTables(s);
  const cm = new ConfusionMatrix(s.numClasses);
  const started = performance.now();

  const load = async (x: EvalSample): Promise<{ item: Sample; tensor: Float32Array }> => {
    const [img, lab] = await Promise.all([
      decodeImageFile(x.image, readModeFor(s.channels)),
      readLabel(x.label),
    ]);
    if (img.width !== lab.width || img.height !== lab.height) {
      throw new PdsegError(
        'DATASET',
        `image "${x.image}" is ${img.width}x${img.height} but its label "${x.label}" is ${lab.width}x${lab.height}; they must match`,
      );
    }
    const tensor = new Float32Array(s.channels * plane);
    preprocess(img, s, tables, tensor, 0, x.image);
    return { tensor, item: { label: preprocessLabel(lab, s, x.label).data, source: x.label } };
  };

  let done = 0;
  const total = o.samples.length;
  // Decoding of the next samples overlaps inference; a bad sample stops the evaluation.
  const batches = prefetchBatches(o.samples, load, {
    batchSize,
    prefetch: 2 * batchSize,
    chw: [s.channels, ch, cw],
  });
  for await (const r of runAhead(batches, o.runner)) {
    if (!r.ok) throw r.error;
    const batch = r.batch.items;
    for (let i = 0; i < batch.length; i++) {
      const b = batch[i] as Sample;
      const pred = r.out.data.subarray(i * plane, (i + 1) * plane);
      cm.update(
        b.label,
        pred instanceof BigInt64Array ? Array.from(pred, Number) : pred,
        s.ignoreIndex,
        b.source,
      );
    }
    done += batch.length;
    const seconds = (performance.now() - started) / 1000;
    const rate = done / seconds;
    emit({
      type: 'progress',
      task: 'eval',
      done,
      total,
      unit: 'items',
      itemName: 'img',
      rate,
      etaSeconds: (total - done) / rate,
    });
  }
  const k = s.numClasses;
  const matrix: number[][] = [];
  for (let i = 0; i < k; i++) matrix.push(Array.from(cm.counts.subarray(i * k, (i + 1) * k)));
  return {
    ...computeMetrics(cm),
    images: done,
    numClasses: k,
    confusionMatrix: matrix,
    seconds: (performance.now() - started) / 1000,
  };
}

/** Options of {@link evaluateMasks}. */
export interface EvaluateMasksOptions {
  samples: readonly EvalSample[];
  /** The folder `pdseg predict` wrote (for example the union of a sharded run). */
  predictions: string;
  /** `DATASET.DATA_DIR`: a mask is looked up by the image's path relative to it. */
  dataDir: string;
  numClasses: number;
  ignoreIndex: number;
  onEvent?: ProgressSink;
}

/**
 * The metrics of masks already written by `pdseg predict` against the labels, at the
 * images' own resolution (the masks are written at it; eval.py compares at the crop size
 * instead, so the two differ by the resizing of labels). A mask is
 * `<predictions>/<image path relative to DATA_DIR, extension .png>` (the `--keep-folders`
 * and sharded layout), else `<predictions>/<basename>.png` (the default one); a missing
 * mask stops the evaluation, naming it.
 */
export async function evaluateMasks(o: EvaluateMasksOptions): Promise<EvalResult> {
  const emit = o.onEvent ?? silent;
  const cm = new ConfusionMatrix(o.numClasses);
  const started = performance.now();
  let done = 0;
  for (const x of o.samples) {
    const rel = relative(o.dataDir, x.image);
    const nested = join(o.predictions, `${rel.slice(0, rel.length - extname(rel).length)}.png`);
    const flat = join(o.predictions, `${basename(x.image, extname(x.image))}.png`);
    const mask = await access(nested).then(
      () => nested,
      () =>
        access(flat).then(
          () => flat,
          () => undefined,
        ),
    );
    if (!mask) {
      throw new PdsegError(
        'DATASET',
        `no mask for "${x.image}" (line ${x.line}) in ${o.predictions}: looked for "${nested}" and "${flat}"; run pdseg predict over the same list first`,
      );
    }
    const [lab, pred] = await Promise.all([readLabel(x.label), readLabel(mask)]);
    if (lab.width !== pred.width || lab.height !== pred.height) {
      throw new PdsegError(
        'DATASET',
        `mask "${mask}" is ${pred.width}x${pred.height} but label "${x.label}" is ${lab.width}x${lab.height}`,
      );
    }
    cm.update(lab.data, pred.data, o.ignoreIndex, x.label);
    done++;
    emit({ type: 'progress', task: 'eval', done, total: o.samples.length, unit: 'items', itemName: 'img' });
  }
  const k = o.numClasses;
  const matrix: number[][] = [];
  for (let i = 0; i < k; i++) matrix.push(Array.from(cm.counts.subarray(i * k, (i + 1) * k)));
  return {
    ...computeMetrics(cm),
    images: done,
    numClasses: k,
    confusionMatrix: matrix,
    seconds: (performance.now() - started) / 1000,
  };
}
