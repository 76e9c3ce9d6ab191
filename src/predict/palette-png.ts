/**
 * An 8-bit palette PNG writer (colour type 3) for label maps, as vis.py saves them with
 * `PIL.Image.fromarray(res_map, mode='P').putpalette(color_map)` (spec §7.2): pixel values
 * are the class ids, the PLTE chunk carries the colour map. Written with `node:zlib` so the
 * indices are stored exactly (no quantisation, no palette reordering).
 */
import { promisify } from 'node:util';
import { deflate, deflateSync } from 'node:zlib';

const deflateAsync = promisify(deflate);

/** PNG file signature. */
const SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

/** CRC-32 table (ISO 3309 polynomial), built per call site through {@link crc32}. */
function crcTable(): Uint32Array {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
}

/** CRC-32 of the concatenation of `parts`. */
export function crc32(parts: readonly Uint8Array[], table: Uint32Array = crcTable()): number {
  let c = 0xffffffff;
  for (const p of parts)
    for (let i = 0; i < p.length; i++) c = (table[(c ^ (p[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** One PNG chunk: length, type, data, CRC. */
function chunk(type: string, data: Uint8Array, table: Uint32Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  const typeBytes = new TextEncoder().encode(type);
  out.set(typeBytes, 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32([typeBytes, data], table));
  return out;
}

/** Checks arguments and builds the filtered scanlines (filter type None on every row). */
function scanlines(indices: Uint8Array, width: number, height: number, palette: Uint8Array): Uint8Array {
  if (indices.length !== width * height) {
    throw new RangeError(`indices has ${indices.length} values, expected ${width}x${height}`);
  }
  if (palette.length % 3 !== 0 || palette.length > 768 || palette.length === 0) {
    throw new RangeError(`palette must hold 1 to 256 RGB entries, got ${palette.length} bytes`);
  }
  const raw = new Uint8Array(height * (width + 1));
  for (let y = 0; y < height; y++) raw.set(indices.subarray(y * width, (y + 1) * width), y * (width + 1) + 1);
  return raw;
}

/** Assembles the PNG file from the compressed scanlines. */
function assemble(width: number, height: number, palette: Uint8Array, idat: Uint8Array): Uint8Array {
  const table = crcTable();
  const ihdr = new Uint8Array(13);
  const hv = new DataView(ihdr.buffer);
  hv.setUint32(0, width);
  hv.setUint32(4, height);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 3; // colour type: indexed; compression, filter, interlace all 0
  const parts = [
    SIGNATURE,
    chunk('IHDR', ihdr, table),
    chunk('PLTE', palette, table),
    chunk('IDAT', idat, table),
    chunk('IEND', new Uint8Array(0), table),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * Encodes `indices` (`width × height` bytes, row-major) as an 8-bit palette PNG with the
 * flat RGB `palette` (at most 256 entries).
 */
export function encodePalettePng(
  indices: Uint8Array,
  width: number,
  height: number,
  palette: Uint8Array,
): Uint8Array {
  const z = deflateSync(scanlines(indices, width, height, palette), { level: 6 });
  return assemble(width, height, palette, new Uint8Array(z.buffer, z.byteOffset, z.byteLength));
}

/** {@link encodePalettePng} with the compression on libuv's thread pool (keeps the event loop free). */
export async function encodePalettePngAsync(
  indices: Uint8Array,
  width: number,
  height: number,
  palette: Uint8Array,
): Promise<Uint8Array> {
  const z = await deflateAsync(scanlines(indices, width, height, palette), { level: 6 });
  return assemble(width, height, palette, new Uint8Array(z.buffer, z.byteOffset, z.byteLength));
}
