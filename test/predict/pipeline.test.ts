/**
 * predict end to end on the seeded small PSPNet fixture: the ArgMax graph edit against the
 * exported softmax model, output files (palette PNG of class ids at the original size),
 * bad inputs reported per file, output-name conflicts refused before running.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PdsegError } from '../../src/errors.js';
import type { PdsegEvent } from '../../src/events.js';
import { decodeModel } from '../../src/onnx/decode.js';
import { colorMap } from '../../src/predict/color-map.js';
import { decodeImageFile } from '../../src/predict/decode.js';
import { collectInputs } from '../../src/predict/inputs.js';
import { loadLabelModel } from '../../src/predict/load-model.js';
import { predictImages } from '../../src/predict/pipeline.js';
import { normalizationTables, preprocess } from '../../src/predict/preprocess.js';
import { resizeNearest } from '../../src/predict/resize-nearest.js';
import { SegSession } from '../../src/predict/session.js';
import { settingsFromMetadata } from '../../src/predict/settings.js';
import { makePspnetFixture, type PspnetFixture } from '../fixtures/pspnet.js';
import { tempDir } from '../helpers.js';
import { writeTestImage } from './images.js';

let tmp: { dir: string; cleanup: () => Promise<void> };
let fx: PspnetFixture;
let inputDir: string;

beforeAll(async () => {
  tmp = await tempDir();
  fx = await makePspnetFixture({ dir: join(tmp.dir, 'model'), numClasses: 3 });
  inputDir = join(tmp.dir, 'in');
  await mkdir(inputDir, { recursive: true });
  await writeTestImage(inputDir, 'b.png', 80, 50, 2);
  await writeTestImage(inputDir, 'a.jpg', 64, 64, 1);
  await writeTestImage(inputDir, 'c.png', 40, 90, 3);
}, 120_000);

afterAll(async () => {
  await tmp.cleanup();
});

/** Independent reference: the exported softmax model, argmax in JS (first max), crop, NEAREST back. */
async function reference(
  path: string,
  modelPath = fx.modelPath,
): Promise<{ data: Uint8Array; width: number; height: number }> {
  const bytes = await readFile(modelPath);
  const settings = settingsFromMetadata(decodeModel(bytes).metadataProps, modelPath);
  const session = await SegSession.create(bytes, { threads: 1 });
  const cn = settings.channels;
  const img = await decodeImageFile(path, cn === 4 ? 'unchanged' : 'color');
  const [cw, ch] = settings.cropSize;
  const tensor = new Float32Array(cn * cw * ch);
  const valid = preprocess(img, settings, normalizationTables(settings), tensor, 0, path);
  const out = await session.run(tensor, [1, cn, ch, cw]);
  await session.release();
  const probs = out.data as Float32Array;
  const k = settings.numClasses;
  const plane = cw * ch;
  const crop = new Uint8Array(valid.validWidth * valid.validHeight);
  for (let y = 0; y < valid.validHeight; y++)
    for (let x = 0; x < valid.validWidth; x++) {
      let best = 0;
      for (let c = 1; c < k; c++)
        if ((probs[c * plane + y * cw + x] as number) > (probs[best * plane + y * cw + x] as number))
          best = c;
      crop[y * valid.validWidth + x] = best;
    }
  const back = resizeNearest(
    { data: crop, width: valid.validWidth, height: valid.validHeight, channels: 1 },
    img.width,
    img.height,
  );
  return back;
}

describe('predictImages on the fixture', () => {
  it('writes palette PNGs of class ids that match the softmax model argmax', async () => {
    const out = join(tmp.dir, 'visual');
    const items = await collectInputs({ inputs: [inputDir], outputDir: out });
    expect(items.map((i) => i.input.slice(inputDir.length + 1))).toEqual(['a.jpg', 'b.png', 'c.png']);
    const model = await loadLabelModel(fx.modelPath, { threads: 1 });
    const events: PdsegEvent[] = [];
    const summary = await predictImages({
      items,
      runner: model.session,
      settings: model.settings,
      blend: true,
      onEvent: (e) => events.push(e),
    });
    await model.session.release();
    expect(summary.failures).toEqual([]);
    expect(summary.images).toBe(3);
    expect(events.filter((e) => e.type === 'progress').length).toBe(3);
    const palette = colorMap(256);
    for (const name of ['a', 'b', 'c']) {
      const src = join(
        inputDir,
        items
          .find((i) => i.output.endsWith(`${name}.png`))!
          .input.split('/')
          .pop()!,
      );
      const ref = await reference(src);
      const png = join(out, `${name}.png`);
      const meta = await sharp(png).metadata();
      expect(meta.width).toBe(ref.width);
      expect(meta.height).toBe(ref.height);
      expect(meta.paletteBitDepth ?? meta.bitsPerSample).toBe(8);
      // Decoded colours must be palette[class id] of the reference labels.
      const rgb = new Uint8Array(await sharp(png).removeAlpha().raw().toBuffer());
      let mismatches = 0;
      for (let i = 0; i < ref.data.length; i++) {
        const c = ref.data[i] as number;
        if (
          rgb[3 * i] !== palette[3 * c] ||
          rgb[3 * i + 1] !== palette[3 * c + 1] ||
          rgb[3 * i + 2] !== palette[3 * c + 2]
        )
          mismatches++;
      }
      expect(mismatches).toBe(0);
      const blend = await sharp(join(out, `${name}_blend.jpg`)).metadata();
      expect([blend.format, blend.width, blend.height]).toEqual(['jpeg', ref.width, ref.height]);
    }
  }, 120_000);

  it('IMAGE_TYPE rgba: a 4-channel network reads BGRA as IMREAD_UNCHANGED; a 3-channel photo is named and skipped', async () => {
    const dir = join(tmp.dir, 'rgba');
    const rgbaFx = await makePspnetFixture({ dir: join(dir, 'model'), numClasses: 3, imageType: 'rgba' });
    const inDir = join(dir, 'in');
    await mkdir(inDir, { recursive: true });
    const w = 50;
    const h = 40;
    const px = new Uint8Array(w * h * 4).map((_, i) => (i * 31 + (i % 4 === 3 ? 90 : 0)) % 256);
    await sharp(px, { raw: { width: w, height: h, channels: 4 } })
      .png()
      .toFile(join(inDir, 'rgba.png'));
    const ga = new Uint8Array(w * h * 2).map((_, i) => (i * 17) % 256);
    await sharp(ga, { raw: { width: w, height: h, channels: 2 } })
      .toColourspace('b-w')
      .png()
      .toFile(join(inDir, 'graya.png'));
    await writeTestImage(inDir, 'photo.jpg', 30, 30, 9);
    const model = await loadLabelModel(rgbaFx.modelPath, { threads: 1 });
    expect(model.settings.channels).toBe(4);
    expect(model.inputShape[1]).toBe(4);
    const out = join(dir, 'visual');
    const items = await collectInputs({ inputs: [inDir], outputDir: out });
    const summary = await predictImages({ items, runner: model.session, settings: model.settings });
    await model.session.release();
    expect(summary.images).toBe(2);
    expect(summary.failures.map((f) => f.message)).toEqual([
      expect.stringMatching(/photo\.jpg" has 3 channels, but DATASET\.IMAGE_TYPE rgba needs 4/),
    ]);
    const palette = colorMap(256);
    for (const name of ['rgba', 'graya']) {
      const ref = await reference(join(inDir, `${name}.png`), rgbaFx.modelPath);
      const rgb = new Uint8Array(
        await sharp(join(out, `${name}.png`))
          .removeAlpha()
          .raw()
          .toBuffer(),
      );
      let mismatches = 0;
      for (let i = 0; i < ref.data.length; i++) {
        const c = ref.data[i] as number;
        if (rgb[3 * i] !== palette[3 * c] || rgb[3 * i + 1] !== palette[3 * c + 1]) mismatches++;
      }
      expect(mismatches).toBe(0);
    }
  }, 120_000);

  it('reports a truncated JPEG and a text file named .png, and continues', async () => {
    const dir = join(tmp.dir, 'bad');
    await mkdir(dir, { recursive: true });
    const good = await writeTestImage(dir, 'good.jpg', 64, 48, 4);
    const jpg = await readFile(good);
    await writeFile(join(dir, 'truncated.jpg'), jpg.subarray(0, Math.floor(jpg.length / 2)));
    await writeFile(join(dir, 'notes.png'), 'this is not an image\n');
    const out = join(tmp.dir, 'visual-bad');
    const items = await collectInputs({ inputs: [dir], outputDir: out });
    const model = await loadLabelModel(fx.modelPath, { threads: 1 });
    const summary = await predictImages({ items, runner: model.session, settings: model.settings });
    await model.session.release();
    expect(summary.images).toBe(1);
    expect(summary.failures.map((f) => f.input.split('/').pop()).sort()).toEqual([
      'notes.png',
      'truncated.jpg',
    ]);
    for (const f of summary.failures) {
      // One line: the file and the decoder's reason.
      expect(f.message).toContain(`cannot decode image "${f.input}": `);
      expect(f.message).not.toContain('[object');
      expect(f.message).not.toContain('\n');
    }
    expect(summary.written).toEqual([join(out, 'good.png')]);
  }, 120_000);

  it('refuses two inputs that would write the same output before running', async () => {
    const dir = join(tmp.dir, 'dup');
    await mkdir(dir, { recursive: true });
    await writeTestImage(dir, 'x.png', 10, 10, 5);
    await writeTestImage(dir, 'x.jpg', 10, 10, 6);
    const err = await collectInputs({ inputs: [dir], outputDir: join(tmp.dir, 'o') }).catch((e) => e);
    expect(err).toBeInstanceOf(PdsegError);
    expect(err.code).toBe('OUTPUT_CONFLICT');
    expect(err.message).toContain('would both be written');
  });

  it('refuses an output folder that would overwrite an input', async () => {
    const dir = join(tmp.dir, 'self');
    await mkdir(dir, { recursive: true });
    await writeTestImage(dir, 'y.png', 10, 10, 7);
    const err = await collectInputs({ inputs: [dir], outputDir: dir }).catch((e) => e);
    expect(err).toBeInstanceOf(PdsegError);
    expect(err.code).toBe('OUTPUT_CONFLICT');
    expect(err.message).toContain('never overwritten');
  });
});
