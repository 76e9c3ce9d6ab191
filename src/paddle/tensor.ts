/**
 * The tensor value types shared by every Paddle reader and writer. Layout is row-major
 * (C order) with `dims` outermost first, as Paddle stores it (NCHW for activations,
 * `[C_out, C_in, kH, kW]` for conv weights).
 */
import type { PaddleDType, TensorData } from './dtype.js';

/** Name, shape and data type of a stored variable (no data). */
export interface TensorInfo {
  /** Variable name (for per-file checkpoints: the relative path with `/`). */
  name: string;
  /** Dimensions, outermost first. */
  dims: number[];
  /** Element type. */
  dtype: PaddleDType;
}

/** A stored variable with its data. */
export interface Tensor extends TensorInfo {
  /** Row-major data; see `dtype.ts` for the array kind of each data type. */
  data: TensorData;
  /**
   * Level-of-detail offsets (spec §9.7), outermost level first; absent or empty for
   * parameters (lod_level 0).
   */
  lod?: number[][];
}
