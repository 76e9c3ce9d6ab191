/**
 * The predict pipeline (vis.py flow, spec §7.2): decode → preprocess → onnxruntime (ArgMax
 * graph) → crop → NEAREST back → palette PNG. Decoding/preprocessing of the next images and
 * encoding/writing of the previous ones overlap with inference of the current batch; a small
 * bounded queue keeps memory flat however large the folder is. A bad image is reported as
 * one event naming the file and the reason, and the others continue.
 */

import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { isPdsegError, messageOf } from '../errors.js';
import { type ProgressSink, silent } from '../events.js';
import { writeFileAtomic } from '../util/atomic.js';
import { blendJpeg } from './blend.js';
import { colorMap } from './color-map.js';
import { decodeImageFile, readModeFor } from './decode.js';
import type { Image8 } from './image.js';
import type { PredictItem } from './inputs.js';
import { encodePalettePngAsync } from './palette-png.js';
import { labelToOriginal } from './postprocess.js';
import { normalizationTables, type Preprocessed, preprocess } from './preprocess.js';
import { type LabelRunner, prefetchBatches, runAhead } from './run-ahead.js';
import type { OutputTensor } from './session.js';
import type { PredictSettings } from './settings.js';
import { failureKind } from './shard.js';

export type { LabelRunner } from './run-ahead.js';

/** Options of {@link predictImages}. */
export interface PredictOptions {
  items: readonly PredictItem[];
  runner: LabelRunner;
  settings: PredictSettings;
  /** Images per session.run (default 1, as vis.py). */
  batchSize?: number;
  /** Also write `<basename>_blend.jpg`. */
  blend?: boolean;
  /** Images decoded ahead of inference (default 2 × batch size). */
  prefetch?: number;
  onEvent?: ProgressSink;
}

/** One image that could not be processed. */
export interface PredictFailure {
  input: string;
  message: string;
  /** The input's fault (a retry reads the same) or transient (I/O, inference): see shard.ts. */
  kind: 'input' | 'transient';
}

/** The end-of-run summary. */
export interface PredictSummary {
  images: number;
  written: string[];
  failures: PredictFailure[];
  seconds: number;
  imagesPerSecond: number;
}

/** A decoded and preprocessed image waiting for inference. */
interface Prepared {
  item: PredictItem;
  valid: Preprocessed;
  width: number;
  height: number;
  /** The decoded photo, kept only for `--blend`. */
  photo?: Image8;
}

/** Runs prediction over `items`; never throws for a bad image (see {@link PredictSummary.failures}). */
export async function predictImages(o: PredictOptions): Promise<PredictSummary> {
  const emit = o.onEvent ?? silent;
  const s = o.settings;
  const batchSize = Math.max(1, o.batchSize ?? 1);
  const prefetch = Math.max(batchSize, o.prefetch ?? 2 * batchSize);
  const tables = normalizationTables(s);
  const [cw, ch] = s.cropSize;
  const cn = s.channels;
  const plane = cn * cw * ch;
  const mode = readModeFor(cn);
  const palette = colorMap(256);
  const started = performance.now();
  const failures: PredictFailure[] = [];
  const written: string[] = [];
  let done = 0;
  const total = o.items.length;

  const fail = (input: string, e: unknown, kind = failureKind(e)) => {
    const message = isPdsegError(e) ? e.message : `${input}: ${messageOf(e)}`;
    failures.push({ input, message, kind });
    emit({ type: 'warn', task: 'predict', message });
  };
  const progress = () => {
    const seconds = (performance.now() - started) / 1000;
    const rate = seconds > 0 ? done / seconds : undefined;
    emit({
      type: 'progress',
      task: 'predict',
      done,
      total,
      unit: 'items',
      itemName: 'img',
      rate,
      etaSeconds: rate ? (total - done) / rate : undefined,
    });
  };

  const prepare = async (item: PredictItem): Promise<{ item: Prepared; tensor: Float32Array }> => {
    const img = await decodeImageFile(item.input, mode);
    const tensor = new Float32Array(plane);
    const valid = preprocess(img, s, tables, tensor, 0, item.input);
    return {
      tensor,
      item: { item, valid, width: img.width, height: img.height, photo: o.blend ? img : undefined },
    };
  };

  const finish = async (p: Prepared, labels: Uint8Array): Promise<void> => {
    try {
      const full = labelToOriginal(labels, cw, p.valid, p.width, p.height);
      await mkdir(dirname(p.item.output), { recursive: true });
      const png = await encodePalettePngAsync(full.data, full.width, full.height, palette);
      await writeFileAtomic(p.item.output, png, { fsync: false });
      written.push(p.item.output);
      if (p.photo) {
        await writeFileAtomic(p.item.blend, await blendJpeg(p.photo, full.data, palette), { fsync: false });
        written.push(p.item.blend);
      }
      done++;
      progress();
    } catch (e) {
      // Writing the result failed (disk full, I/O): the image itself was fine.
      fail(p.item.input, e, 'transient');
    }
  };

  // Bounded prefetch of decode/preprocess, in input order; a bad image is reported and skipped.
  const batches = prefetchBatches(o.items, prepare, {
    batchSize,
    prefetch,
    chw: [cn, ch, cw],
    onError: (item, e) => fail(item.input, e),
  });
  const pendingWrites = new Set<Promise<void>>();
  for await (const r of runAhead(batches, o.runner)) {
    if (!r.ok) {
      for (const p of r.batch.items) fail(p.item.input, r.error, 'transient');
      continue;
    }
    const labels = toUint8(r.out.data);
    r.batch.items.forEach((p, i) => {
      const w = finish(p, labels.subarray(i * cw * ch, (i + 1) * cw * ch));
      pendingWrites.add(w);
      void w.finally(() => pendingWrites.delete(w));
    });
    // Bound the write backlog: at most two batches being encoded.
    while (pendingWrites.size > 2 * batchSize) await Promise.race(pendingWrites);
  }
  await Promise.all(pendingWrites);
  const seconds = (performance.now() - started) / 1000;
  const summary = {
    images: done,
    written,
    failures,
    seconds,
    imagesPerSecond: seconds > 0 ? done / seconds : 0,
  };
  emit({
    type: 'done',
    task: 'predict',
    message: `${done} image(s) segmented, ${failures.length} failed, ${seconds.toFixed(1)} s, ${summary.imagesPerSecond.toFixed(2)} img/s`,
  });
  return summary;
}

/** The label map as bytes (an int64 output is narrowed; values are class ids < 256). */
function toUint8(data: OutputTensor['data']): Uint8Array {
  if (data instanceof Uint8Array) return data;
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = Number(data[i]);
  return out;
}
