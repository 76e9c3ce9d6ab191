// Writes the small decode-test inputs (EXIF orientations 3/6/8 in JPEG and PNG, a 16-bit RGB
// PNG, a 16-bit gray PNG, an RGBA PNG, a gray+alpha PNG, a palette PNG with transparency, an
// RGBA PNG with EXIF orientation 6) into decode/; make_decode_reference.py then records what
// cv2.imread returns for each with IMREAD_COLOR and with IMREAD_UNCHANGED. Run: node test/reference/predict/make-decode-inputs.mjs
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
const ga = new Uint8Array(w * h * 2).map((_, i) => (i * 29) % 256);
await sharp(ga, { raw: { width: w, height: h, channels: 2 } })
  .toColourspace('b-w')
  .png()
  .toFile(`${dir}graya.png`);
// Four opaque-to-transparent colours in blocks: quantises to a palette with a tRNS chunk.
const blocks = new Uint8Array(w * h * 4).map((_, i) => {
  const p = Math.floor(i / 4);
  const k = (Math.floor((p % w) / 10) + Math.floor(p / w / 6)) % 4;
  return [
    [200, 30, 30, 255],
    [30, 200, 30, 128],
    [30, 30, 200, 0],
    [250, 250, 0, 64],
  ][k][i % 4];
});
await sharp(blocks, { raw: { width: w, height: h, channels: 4 } })
  .png({ palette: true, colours: 4, dither: 0 })
  .toFile(`${dir}palette-trns.png`);
await sharp(rgba, { raw: { width: w, height: h, channels: 4 } })
  .withMetadata({ orientation: 6 })
  .png()
  .toFile(`${dir}exif6-rgba.png`);
