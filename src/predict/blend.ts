/**
 * `--blend`: the colour mask (VOC palette, spec §7.1) blended half-and-half over the photo,
 * background (class 0) left as it is, saved as `<basename>_blend.jpg` — for people who would
 * rather look than read. Not a PaddleSeg output.
 */
import sharp from 'sharp';
import type { Image8 } from './image.js';

/** JPEG bytes of `photo` (BGR, or BGRA whose alpha is ignored) with `labels` (same size) blended over it in `palette` colours. */
export async function blendJpeg(photo: Image8, labels: Uint8Array, palette: Uint8Array): Promise<Uint8Array> {
  const n = photo.width * photo.height;
  const rgb = new Uint8Array(n * 3);
  const d = photo.data;
  const cn = photo.channels;
  for (let i = 0; i < n; i++) {
    const c = labels[i] as number;
    const b = d[cn * i] as number;
    const g = d[cn * i + 1] as number;
    const r = d[cn * i + 2] as number;
    if (c === 0) {
      rgb[3 * i] = r;
      rgb[3 * i + 1] = g;
      rgb[3 * i + 2] = b;
    } else {
      rgb[3 * i] = (r + (palette[3 * c] as number) + 1) >> 1;
      rgb[3 * i + 1] = (g + (palette[3 * c + 1] as number) + 1) >> 1;
      rgb[3 * i + 2] = (b + (palette[3 * c + 2] as number) + 1) >> 1;
    }
  }
  const buf = await sharp(rgb, { raw: { width: photo.width, height: photo.height, channels: 3 } })
    .jpeg({ quality: 90 })
    .toBuffer();
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}
