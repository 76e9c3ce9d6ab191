/**
 * The in-memory image pdseg's preprocessing works on: 8-bit, interleaved (HWC), in
 * OpenCV's channel order (BGR for colour images), as `cv2.imread` returns it (spec §6).
 */

/** An 8-bit interleaved image, rows top to bottom, `channels` values per pixel. */
export interface Image8 {
  /** `height * width * channels` bytes, HWC order. */
  data: Uint8Array;
  width: number;
  height: number;
  channels: number;
}
