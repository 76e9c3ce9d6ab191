/**
 * PaddleSeg's colour map (spec §7.1, `get_color_map_list`): the PASCAL-VOC bit-interleaved
 * palette. vis.py always uses 256 entries.
 */

/** Flat `[R0,G0,B0, R1,G1,B1, …]` list of `n` colours (default 256). */
export function colorMap(n = 256): Uint8Array {
  const out = new Uint8Array(3 * n);
  for (let i = 0; i < n; i++) {
    let r = 0;
    let g = 0;
    let b = 0;
    let lab = i;
    let j = 0;
    while (lab !== 0) {
      r |= ((lab >> 0) & 1) << (7 - j);
      g |= ((lab >> 1) & 1) << (7 - j);
      b |= ((lab >> 2) & 1) << (7 - j);
      j++;
      lab >>= 3;
    }
    out[3 * i] = r;
    out[3 * i + 1] = g;
    out[3 * i + 2] = b;
  }
  return out;
}
