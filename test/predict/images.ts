/** Small generated test images (seeded), written with sharp. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';

/** Deterministic RGB pixels with a bright blob, so a network sees structure. */
export function seededRgb(width: number, height: number, seed: number): Uint8Array {
  const out = new Uint8Array(width * height * 3);
  let s = seed >>> 0;
  for (let i = 0; i < out.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const p = Math.floor(i / 3);
    const x = p % width;
    const y = Math.floor(p / width);
    const blob = (x - width / 2) ** 2 + (y - height / 2) ** 2 < (Math.min(width, height) / 4) ** 2 ? 120 : 0;
    out[i] = Math.min(255, (s >>> 24) / 2 + blob);
  }
  return out;
}

/** Writes `name` (png or jpg by extension) of the given size into `dir`; returns its path. */
export async function writeTestImage(
  dir: string,
  name: string,
  width: number,
  height: number,
  seed: number,
): Promise<string> {
  const path = join(dir, name);
  const img = sharp(seededRgb(width, height, seed), { raw: { width, height, channels: 3 } });
  const buf = name.endsWith('.png') ? await img.png().toBuffer() : await img.jpeg({ quality: 90 }).toBuffer();
  await writeFile(path, buf);
  return path;
}
