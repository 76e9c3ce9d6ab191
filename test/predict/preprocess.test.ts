/** Preprocessing: normalisation precision, TO_RGB, padding, AUG methods and the too-large error. */
import { describe, expect, it } from 'vitest';
import { PdsegError } from '../../src/errors.js';
import type { Image8 } from '../../src/predict/image.js';
import { normalizationTables, preprocess, preprocessLabel } from '../../src/predict/preprocess.js';
import type { PredictSettings } from '../../src/predict/settings.js';

const base: PredictSettings = {
  numClasses: 2,
  channels: 3,
  cropSize: [4, 3],
  mean: [0.5, 0.5, 0.5],
  std: [0.5, 0.5, 0.5],
  toRgb: false,
  augMethod: 'stepscaling',
  fixResizeSize: [4, 3],
  infResizeValue: 4,
  paddingValue: [127.5, 127.5, 127.5],
  ignoreIndex: 255,
};

/** A 2×2 BGR image with distinct channel values. */
const img: Image8 = {
  data: Uint8Array.from([0, 128, 255, 10, 20, 30, 40, 50, 60, 70, 80, 90]),
  width: 2,
  height: 2,
  channels: 3,
};

describe('preprocess', () => {
  it('normalises with float32 /255 and float64 mean/std, stored as float32', () => {
    const t = normalizationTables(base)[0] as Float32Array;
    expect(t[0]).toBe(-1);
    expect(t[255]).toBe(1);
    // f32(128/255) = 0.501960813999176…, −0.5 = 0.001960813999176…, /0.5 → 0.003921627998352051
    expect(t[128]).toBe(Math.fround(0.003921627998352051));
  });

  it('pads bottom/right with 128 (= round(127.5)) and lays out CHW in BGR order', () => {
    const out = new Float32Array(3 * 4 * 3);
    const valid = preprocess(img, base, normalizationTables(base), out, 0, 'x.png');
    expect(valid).toEqual({ validWidth: 2, validHeight: 2 });
    const t = normalizationTables(base)[0] as Float32Array;
    // channel 0 (B) plane, row 0: pixels (0,0)=0, (1,0)=10, then padding 128, 128
    expect(Array.from(out.subarray(0, 4))).toEqual([t[0], t[10], t[128], t[128]]);
    // channel 2 (R) plane, row 1: pixels 60, 90, pad, pad
    expect(Array.from(out.subarray(2 * 12 + 4, 2 * 12 + 8))).toEqual([t[60], t[90], t[128], t[128]]);
    // last row is all padding
    expect(Array.from(out.subarray(8, 12))).toEqual([t[128], t[128], t[128], t[128]]);
  });

  it('reverses channels with AUG.TO_RGB before normalising (MEAN[0] applies to R)', () => {
    const s = { ...base, toRgb: true, mean: [0.1, 0.5, 0.9] };
    const tables = normalizationTables(s);
    const out = new Float32Array(3 * 12);
    preprocess(img, s, tables, out, 0, 'x.png');
    expect(out[0]).toBe((tables[0] as Float32Array)[255]); // plane 0 = R of pixel (0,0) = 255
    expect(out[24]).toBe((tables[2] as Float32Array)[0]); // plane 2 = B = 0
  });

  it('handles BGRA (IMAGE_TYPE rgba): four planes, padding per channel, TO_RGB gives ARGB', () => {
    const s: PredictSettings = {
      ...base,
      channels: 4,
      mean: [0.1, 0.2, 0.3, 0.4],
      std: [0.5, 0.5, 0.5, 0.25],
      paddingValue: [0.1, 0.2, 0.3, 0.4].map((m) => m * 255),
    };
    const bgra: Image8 = {
      data: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]),
      width: 2,
      height: 2,
      channels: 4,
    };
    const tables = normalizationTables(s);
    const out = new Float32Array(4 * 12);
    preprocess(bgra, s, tables, out, 0, 'a.png');
    const at = (c: number, i: number) => out[c * 12 + i];
    // alpha plane (3): pixel (0,0) alpha 4, pixel (1,0) alpha 8, then padding round(0.4·255 = 102)
    expect([at(3, 0), at(3, 1), at(3, 2)]).toEqual([
      (tables[3] as Float32Array)[4],
      (tables[3] as Float32Array)[8],
      (tables[3] as Float32Array)[102],
    ]);
    // TO_RGB reverses all four: plane 0 is alpha with MEAN[0]
    const rgb = { ...s, toRgb: true };
    const t2 = normalizationTables(rgb);
    preprocess(bgra, rgb, t2, out, 0, 'a.png');
    expect(out[0]).toBe((t2[0] as Float32Array)[4]);
    expect(out[3 * 12]).toBe((t2[3] as Float32Array)[1]);
  });

  it('refuses an image whose channels differ from DATA_DIM, naming it', () => {
    const s: PredictSettings = {
      ...base,
      channels: 4,
      mean: [0.5, 0.5, 0.5, 0.5],
      std: [0.5, 0.5, 0.5, 0.5],
    };
    let err: unknown;
    try {
      preprocess(img, s, normalizationTables(s), new Float32Array(48), 0, 'photo.jpg');
    } catch (e) {
      err = e;
    }
    expect((err as PdsegError).code).toBe('IMAGE_CHANNELS');
    expect((err as PdsegError).message).toContain('"photo.jpg" has 3 channels');
    expect((err as PdsegError).message).toContain('rgba needs 4');
  });

  it("stops with PaddleSeg's crop error when the image is larger than EVAL_CROP_SIZE", () => {
    const big: Image8 = { data: new Uint8Array(5 * 2 * 3), width: 5, height: 2, channels: 3 };
    let err: unknown;
    try {
      preprocess(big, base, normalizationTables(base), new Float32Array(36), 0, 'big.jpg');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PdsegError);
    expect((err as PdsegError).code).toBe('IMAGE_TOO_LARGE');
    expect((err as PdsegError).message).toContain('Crop size(w,h) must large than img size(w,h)');
    expect((err as PdsegError).message).toContain('big.jpg');
  });

  it('unpadding resizes to FIX_RESIZE_SIZE; labels go NEAREST and pad with IGNORE_INDEX', () => {
    const s: PredictSettings = { ...base, augMethod: 'unpadding', fixResizeSize: [3, 3] };
    const out = new Float32Array(36);
    expect(preprocess(img, s, normalizationTables(s), out, 0, 'x')).toEqual({
      validWidth: 3,
      validHeight: 3,
    });
    const label: Image8 = { data: Uint8Array.from([0, 1, 1, 0]), width: 2, height: 2, channels: 1 };
    const l = preprocessLabel(label, s, 'l.png');
    // NEAREST 2→3: source index floor(d·2/3) = 0,0,1
    expect(Array.from(l.data)).toEqual([0, 0, 1, 255, 0, 0, 1, 255, 1, 1, 0, 255]);
  });
});
