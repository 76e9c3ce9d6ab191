/**
 * eval end to end on the fixture PSPNet and a generated dataset: the confusion matrix equals
 * one counted here from the exported softmax model's argmax and the label files' values.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PdsegError } from '../../src/errors.js';
import { readEvalList } from '../../src/eval/dataset-list.js';
import { evaluate } from '../../src/eval/evaluate.js';
import { decodeLabelPng } from '../../src/eval/read-label.js';
import { decodeModel } from '../../src/onnx/decode.js';
import { colorMap } from '../../src/predict/color-map.js';
import { decodeImageFile } from '../../src/predict/decode.js';
import { loadLabelModel } from '../../src/predict/load-model.js';
import { encodePalettePng } from '../../src/predict/palette-png.js';
import { normalizationTables, preprocess } from '../../src/predict/preprocess.js';
import { SegSession } from '../../src/predict/session.js';
import { settingsFromMetadata } from '../../src/predict/settings.js';
import { makePspnetFixture, type PspnetFixture } from '../fixtures/pspnet.js';
import { tempDir } from '../helpers.js';
import { type GeneratedSample, writeDataset } from './dataset.js';

const K = 3;
let tmp: { dir: string; cleanup: () => Promise<void> };
let fx: PspnetFixture;
let samples: GeneratedSample[];
let dataDir: string;

beforeAll(async () => {
  tmp = await tempDir();
  fx = await makePspnetFixture({ dir: tmp.dir, numClasses: K });
  dataDir = join(tmp.dir, 'dataset', 'fixture');
  samples = await writeDataset(dataDir, { count: 3, width: 64, height: 64, numClasses: K });
}, 120_000);

afterAll(async () => {
  await tmp.cleanup();
});

/** Confusion matrix counted directly: softmax model argmax (first max) vs label values. */
async function expectedMatrix(model = fx, list = samples): Promise<number[][]> {
  const bytes = await readFile(model.modelPath);
  const s = settingsFromMetadata(decodeModel(bytes).metadataProps, model.modelPath);
  const session = await SegSession.create(bytes, { threads: 1 });
  const cn = s.channels;
  const m = Array.from({ length: K }, () => new Array<number>(K).fill(0));
  for (const x of list) {
    const tensor = new Float32Array(cn * 64 * 64);
    const img = await decodeImageFile(x.image, cn === 4 ? 'unchanged' : 'color');
    preprocess(img, s, normalizationTables(s), tensor, 0, x.image);
    const probs = (await session.run(tensor, [1, cn, 64, 64])).data as Float32Array;
    for (let i = 0; i < 64 * 64; i++) {
      const l = x.values[i] as number;
      if (l === 255) continue;
      let best = 0;
      for (let c = 1; c < K; c++)
        if ((probs[c * 4096 + i] as number) > (probs[best * 4096 + i] as number)) best = c;
      (m[l] as number[])[best]!++;
    }
  }
  await session.release();
  return m;
}

describe('evaluate', () => {
  it('reads gray and palette label PNGs as their stored values', async () => {
    for (const x of samples) {
      const lab = decodeLabelPng(await readFile(x.label), x.label);
      expect([lab.width, lab.height, lab.channels]).toEqual([64, 64, 1]);
      expect(Buffer.from(lab.data).equals(Buffer.from(x.values))).toBe(true);
    }
  });

  it('matches a directly counted confusion matrix, with batch sizes 1 and 2', async () => {
    const list = await readEvalList(join(dataDir, 'val_list.txt'), dataDir, ' ');
    expect(list.length).toBe(3);
    const model = await loadLabelModel(fx.modelPath, { threads: 1 });
    const expected = await expectedMatrix();
    const total = expected.flat().reduce((a, b) => a + b, 0);
    expect(total).toBe(3 * 64 * 63); // one ignored row per image
    for (const batchSize of [1, 2]) {
      const r = await evaluate({ samples: list, runner: model.session, settings: model.settings, batchSize });
      expect(r.confusionMatrix).toEqual(expected);
      expect(r.images).toBe(3);
      const diag = expected.reduce((a, row, i) => a + (row[i] as number), 0);
      expect(Math.abs(r.accuracy - diag / total)).toBeLessThan(1e-12);
    }
    await model.session.release();
  }, 120_000);

  it('IMAGE_TYPE rgba: RGBA images through a 4-channel network, batches of 2', async () => {
    const dir = join(tmp.dir, 'rgba');
    const rgbaFx = await makePspnetFixture({ dir, numClasses: K, imageType: 'rgba' });
    const rgbaDir = join(dir, 'dataset', 'fixture');
    const rgbaSamples = await writeDataset(rgbaDir, {
      count: 3,
      width: 64,
      height: 64,
      numClasses: K,
      rgba: true,
    });
    const list = await readEvalList(join(rgbaDir, 'val_list.txt'), rgbaDir, ' ');
    const model = await loadLabelModel(rgbaFx.modelPath, { threads: 1 });
    const r = await evaluate({
      samples: list,
      runner: model.session,
      settings: model.settings,
      batchSize: 2,
    });
    await model.session.release();
    expect(r.confusionMatrix).toEqual(await expectedMatrix(rgbaFx, rgbaSamples));
    expect(r.images).toBe(3);
  }, 120_000);

  it('stops on a label value ≥ NUM_CLASSES, naming the file and value', async () => {
    const { writeFile } = await import('node:fs/promises');
    const values = new Uint8Array(64 * 64).fill(1);
    values[100] = 5;
    const label = join(dataDir, 'Annotations', 'H0099.png');
    await writeFile(label, encodePalettePng(values, 64, 64, colorMap(256)));
    const list = [{ image: samples[0]!.image, label, line: 1 }];
    const model = await loadLabelModel(fx.modelPath, { threads: 1 });
    const err = await evaluate({ samples: list, runner: model.session, settings: model.settings }).catch(
      (e) => e,
    );
    await model.session.release();
    expect(err).toBeInstanceOf(PdsegError);
    expect(err.code).toBe('LABEL_VALUE');
    expect(err.message).toContain('contains the value 5');
    expect(err.message).toContain('H0099.png');
  }, 60_000);

  it('rejects a list line without a label', async () => {
    const { writeFile } = await import('node:fs/promises');
    const f = join(tmp.dir, 'bad_list.txt');
    await writeFile(f, 'JPEGImages/H0001.png\n');
    const err = await readEvalList(f, dataDir, ' ').catch((e) => e);
    expect(err).toBeInstanceOf(PdsegError);
    expect(err.message).toContain('File list format incorrect!');
  });
});
