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

// CMYK JPEGs (Adobe-inverted, as libjpeg writes them through libvips), one with EXIF
// orientation 6: OpenCV converts CMYK itself, without any profile.
const smooth = new Uint8Array(w * h * 3).map((_, i) => {
  const p = Math.floor(i / 3);
  const [x, y, c] = [p % w, Math.floor(p / w), i % 3];
  return Math.round(127 + 120 * Math.sin(x / 6 + c * 2) * Math.cos(y / 5 - c));
});
await sharp(smooth, { raw: { width: w, height: h, channels: 3 } })
  .toColourspace('cmyk')
  .jpeg({ quality: 92 })
  .toFile(`${dir}cmyk.jpg`);
await sharp(smooth, { raw: { width: w, height: h, channels: 3 } })
  .toColourspace('cmyk')
  .withMetadata({ orientation: 6 })
  .jpeg({ quality: 92 })
  .toFile(`${dir}cmyk-exif6.jpg`);

/**
 * A BMP file: `pixel(x, y)` gives a palette index (bpp ≤ 8) or a packed pixel value; rows
 * bottom-up unless `topDown`, padded to 4 bytes; `header` 12 (core), 40 or 124 (V5).
 */
function bmp({
  bpp,
  width,
  height,
  pixel,
  palette = [],
  header = 40,
  topDown = false,
  compression = 0,
  masks,
}) {
  const stride = Math.ceil((width * bpp) / 32) * 4;
  const entry = header === 12 ? 3 : 4;
  const maskBytes = compression === 3 && header === 40 ? 12 : 0;
  const offset = 14 + header + maskBytes + palette.length * entry;
  const buf = Buffer.alloc(offset + stride * height);
  buf.write('BM', 0, 'latin1');
  buf.writeUInt32LE(buf.length, 2);
  buf.writeUInt32LE(offset, 10);
  buf.writeUInt32LE(header, 14);
  if (header === 12) {
    buf.writeUInt16LE(width, 18);
    buf.writeInt16LE(height, 20);
    buf.writeUInt16LE(1, 22);
    buf.writeUInt16LE(bpp, 24);
  } else {
    buf.writeInt32LE(width, 18);
    buf.writeInt32LE(topDown ? -height : height, 22);
    buf.writeUInt16LE(1, 26);
    buf.writeUInt16LE(bpp, 28);
    buf.writeUInt32LE(compression, 30);
    buf.writeUInt32LE(stride * height, 34);
    buf.writeUInt32LE(palette.length, 46);
    // Masks: inside a V4/V5 header (with alpha), or 12 bytes after a 40-byte one.
    const written = header >= 108 ? masks : maskBytes ? masks?.slice(0, 3) : undefined;
    for (const [i, m] of (written ?? []).entries()) buf.writeUInt32LE(m >>> 0, 54 + 4 * i);
  }
  palette.forEach(([b, g, r], i) => {
    const at = 14 + header + maskBytes + i * entry;
    buf[at] = b;
    buf[at + 1] = g;
    buf[at + 2] = r;
  });
  for (let y = 0; y < height; y++) {
    const row = offset + (topDown ? y : height - 1 - y) * stride;
    for (let x = 0; x < width; x++) {
      const v = pixel(x, y);
      if (bpp < 8) buf[row + ((x * bpp) >> 3)] |= v << (8 - bpp - ((x * bpp) & 7));
      else if (bpp === 8) buf[row + x] = v;
      else if (bpp === 16) buf.writeUInt16LE(v, row + 2 * x);
      else if (bpp === 24) buf.writeUIntLE(v, row + 3 * x, 3);
      else buf.writeUInt32LE(v >>> 0, row + 4 * x);
    }
  }
  return buf;
}
const bw = 37; // odd width: every row is padded
const bh = 21;
const pal = (n) =>
  Array.from({ length: n }, (_, i) => [(i * 67) % 256, (i * 131 + 40) % 256, (i * 29 + 90) % 256]);
const files = {
  'bmp1.bmp': {
    bpp: 1,
    palette: [
      [0, 0, 0],
      [250, 240, 10],
    ],
    pixel: (x, y) => ((x + y) % 3 === 0 ? 1 : 0),
  },
  'bmp4.bmp': { bpp: 4, palette: pal(16), pixel: (x, y) => (x * 3 + y) % 16 },
  'bmp8.bmp': { bpp: 8, palette: pal(256), pixel: (x, y) => (x * 7 + y * 13) % 256 },
  'bmp8-core.bmp': { bpp: 8, header: 12, palette: pal(256), pixel: (x, y) => (x * 5 + y * 11) % 256 },
  'bmp16-555.bmp': { bpp: 16, pixel: (x, y) => (x * 997 + y * 6151) & 0x7fff },
  'bmp16-565.bmp': {
    bpp: 16,
    compression: 3,
    masks: [0xf800, 0x07e0, 0x001f],
    pixel: (x, y) => (x * 1543 + y * 7919) & 0xffff,
  },
  'bmp24.bmp': { bpp: 24, pixel: (x, y) => (x * 0x010203 * 7 + y * 0x030501 * 11) & 0xffffff },
  'bmp24-topdown.bmp': { bpp: 24, topDown: true, pixel: (x, y) => (x * 0x0a0b0c + y * 0x111213) & 0xffffff },
  'bmp32.bmp': { bpp: 32, pixel: (x, y) => (x * 0x01030507 + y * 0x0b0d1113) >>> 0 },
  'bmp32-alpha.bmp': {
    bpp: 32,
    header: 124,
    compression: 3,
    masks: [0x00ff0000, 0x0000ff00, 0x000000ff, 0xff000000],
    pixel: (x, y) => (x * 0x01030507 + y * 0x0b0d1113) >>> 0,
  },
};
const { writeFileSync } = await import('node:fs');
for (const [file, spec] of Object.entries(files))
  writeFileSync(`${dir}${file}`, bmp({ width: bw, height: bh, ...spec }));
