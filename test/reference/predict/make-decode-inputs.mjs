// Writes the small decode-test inputs (EXIF orientations 3/6/8 in JPEG and PNG, a 16-bit RGB
// PNG, a 16-bit gray PNG, an RGBA PNG) into decode/; make_decode_reference.py then records
// what cv2.imread(IMREAD_COLOR) returns for each. Run: node test/reference/predict/make-decode-inputs.mjs
import { mkdirSync } from 'node:fs';
import sharp from 'sharp';

const dir = new URL('./decode/', import.meta.url).pathname;
mkdirSync(dir, { recursive: true });
const w = 40;
const h = 24;
const rgb = new Uint8Array(w * h * 3).map((_, i) => (i * 37) % 251);
for (const o of [3, 6, 8]) {
  await sharp(rgb, { raw: { width: w, height: h, channels: 3 } })
    .withMetadata({ orientation: o })
    .jpeg({ quality: 95 })
    .toFile(`${dir}exif${o}.jpg`);
  await sharp(rgb, { raw: { width: w, height: h, channels: 3 } })
    .withMetadata({ orientation: o })
    .png()
    .toFile(`${dir}exif${o}.png`);
}
const rgb16 = new Uint16Array(w * h * 3).map((_, i) => (i * 7919) % 65536);
await sharp(Buffer.from(rgb16.buffer), { raw: { width: w, height: h, channels: 3, depth: 'ushort' } })
  .toColourspace('rgb16')
  .png()
  .toFile(`${dir}rgb16.png`);
const g16 = new Uint16Array(w * h).map((_, i) => (i * 4099) % 65536);
await sharp(Buffer.from(g16.buffer), { raw: { width: w, height: h, channels: 1, depth: 'ushort' } })
  .toColourspace('grey16')
  .png()
  .toFile(`${dir}gray16.png`);
const rgba = new Uint8Array(w * h * 4).map((_, i) => (i * 53) % 256);
await sharp(rgba, { raw: { width: w, height: h, channels: 4 } })
  .png()
  .toFile(`${dir}rgba.png`);
