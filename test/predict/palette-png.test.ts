/** VOC colour map (spec §7.1 values) and the palette PNG writer (indices exact, PLTE = map). */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { colorMap } from '../../src/predict/color-map.js';
import { crc32, encodePalettePng, encodePalettePngAsync } from '../../src/predict/palette-png.js';

describe('colorMap', () => {
  it('has the spec §7.1 entries', () => {
    const m = colorMap(256);
    const at = (i: number) => [m[3 * i], m[3 * i + 1], m[3 * i + 2]];
    expect(at(0)).toEqual([0, 0, 0]);
    expect(at(1)).toEqual([128, 0, 0]);
    expect(at(2)).toEqual([0, 128, 0]);
    expect(at(7)).toEqual([128, 128, 128]);
    expect(at(8)).toEqual([64, 0, 0]);
    expect(at(15)).toEqual([192, 128, 128]);
    expect(at(19)).toEqual([128, 192, 0]);
    expect(at(21)).toEqual([128, 64, 128]);
    expect(at(255)).toEqual([224, 224, 192]);
  });
});

describe('encodePalettePng', () => {
  const width = 7;
  const height = 5;
  const indices = Uint8Array.from({ length: width * height }, (_, i) => (i * 37) % 256);
  const palette = colorMap(256);

  it('writes IHDR bit depth 8, colour type 3 and the full PLTE', () => {
    const png = encodePalettePng(indices, width, height, palette);
    const view = new DataView(png.buffer, png.byteOffset);
    expect(new TextDecoder().decode(png.subarray(12, 16))).toBe('IHDR');
    expect(view.getUint32(16)).toBe(width);
    expect(view.getUint32(20)).toBe(height);
    expect([png[24], png[25]]).toEqual([8, 3]);
    expect(new TextDecoder().decode(png.subarray(37, 41))).toBe('PLTE');
    expect(view.getUint32(33)).toBe(768);
    expect(Array.from(png.subarray(41, 41 + 768))).toEqual(Array.from(palette));
  });

  it('decodes (libpng via sharp) to palette[index] at every pixel', async () => {
    const png = await encodePalettePngAsync(indices, width, height, palette);
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, info.channels]).toEqual([width, height, 3]);
    for (let i = 0; i < indices.length; i++) {
      const c = indices[i] as number;
      expect([data[3 * i], data[3 * i + 1], data[3 * i + 2]]).toEqual([
        palette[3 * c],
        palette[3 * c + 1],
        palette[3 * c + 2],
      ]);
    }
    expect((await sharp(png).metadata()).isPalette).toBe(true);
  });

  it('computes the standard CRC-32', () => {
    expect(crc32([new TextEncoder().encode('123456789')])).toBe(0xcbf43926);
  });

  it('rejects a size mismatch', () => {
    expect(() => encodePalettePng(new Uint8Array(3), 2, 2, palette)).toThrow(RangeError);
  });
});
