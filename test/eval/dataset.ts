/** A generated optic-style dataset (JPEGImages/, Annotations/, list files) for eval tests. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { colorMap } from '../../src/predict/color-map.js';
import { encodePalettePng } from '../../src/predict/palette-png.js';
import { seededRgb, writeTestImage } from '../predict/images.js';

/** One generated sample: its label values, row-major. */
export interface GeneratedSample {
  image: string;
  label: string;
  values: Uint8Array;
  width: number;
  height: number;
}

/** Label values: class by quadrant, a band of 255 (ignored) pixels, seeded by `seed`. */
export function labelValues(width: number, height: number, numClasses: number, seed: number): Uint8Array {
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const q = (x < width / 2 ? 0 : 1) + (y < height / 2 ? 0 : 2);
      out[y * width + x] = y === seed % height ? 255 : (q + seed) % numClasses;
    }
  return out;
}

/**
 * Writes `count` samples under `<dataDir>/JPEGImages` and `<dataDir>/Annotations` (even
 * samples: palette PNG labels; odd: 8-bit gray PNG labels written by libpng) and
 * `val_list.txt` with `separator`.
 */
export async function writeDataset(
  dataDir: string,
  o: {
    count: number;
    width: number;
    height: number;
    numClasses: number;
    separator?: string;
    /** Write RGBA PNG images (for IMAGE_TYPE rgba) instead of RGB. */
    rgba?: boolean;
  },
): Promise<GeneratedSample[]> {
  await mkdir(join(dataDir, 'JPEGImages'), { recursive: true });
  await mkdir(join(dataDir, 'Annotations'), { recursive: true });
  const out: GeneratedSample[] = [];
  const lines: string[] = [];
  for (let i = 0; i < o.count; i++) {
    const id = `H${String(i + 1).padStart(4, '0')}`;
    let image: string;
    if (o.rgba) {
      image = join(dataDir, 'JPEGImages', `${id}.png`);
      const rgb = seededRgb(o.width, o.height, 10 + i);
      const px = new Uint8Array(o.width * o.height * 4);
      for (let p = 0; p < o.width * o.height; p++) {
        px.set(rgb.subarray(3 * p, 3 * p + 3), 4 * p);
        px[4 * p + 3] = (p * 7 + i * 50) % 256;
      }
      await sharp(px, { raw: { width: o.width, height: o.height, channels: 4 } })
        .png()
        .toFile(image);
    } else {
      image = await writeTestImage(join(dataDir, 'JPEGImages'), `${id}.png`, o.width, o.height, 10 + i);
    }
    const values = labelValues(o.width, o.height, o.numClasses, i);
    const label = join(dataDir, 'Annotations', `${id}.png`);
    if (i % 2 === 0) {
      await writeFile(label, encodePalettePng(values, o.width, o.height, colorMap(256)));
    } else {
      await sharp(values, { raw: { width: o.width, height: o.height, channels: 1 } })
        .toColourspace('b-w')
        .png()
        .toFile(label);
    }
    out.push({ image, label, values, width: o.width, height: o.height });
    lines.push(`JPEGImages/${id}.png${o.separator ?? ' '}Annotations/${id}.png`);
  }
  await writeFile(join(dataDir, 'val_list.txt'), `${lines.join('\n')}\n`);
  return out;
}
