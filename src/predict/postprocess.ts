/**
 * vis.py postprocessing (spec §7.2): the class-id map at crop size (argmax already taken,
 * first maximum on ties), cropped to the valid region `[0:valid_h, 0:valid_w]`, resized back
 * to the original size with INTER_NEAREST.
 */
import type { Image8 } from './image.js';
import { resizeNearest } from './resize-nearest.js';

/** Crops the top-left `validWidth × validHeight` of a `cropWidth`-wide label map. */
export function cropLabel(
  labels: Uint8Array,
  cropWidth: number,
  validWidth: number,
  validHeight: number,
): Image8 {
  const out = new Uint8Array(validWidth * validHeight);
  for (let y = 0; y < validHeight; y++) {
    out.set(labels.subarray(y * cropWidth, y * cropWidth + validWidth), y * validWidth);
  }
  return { data: out, width: validWidth, height: validHeight, channels: 1 };
}

/** Crop then NEAREST back to `originalWidth × originalHeight`. */
export function labelToOriginal(
  labels: Uint8Array,
  cropWidth: number,
  valid: { validWidth: number; validHeight: number },
  originalWidth: number,
  originalHeight: number,
): Image8 {
  const cropped = cropLabel(labels, cropWidth, valid.validWidth, valid.validHeight);
  return resizeNearest(cropped, originalWidth, originalHeight);
}
