/**
 * The part of the checked config (spec §1.2) that `pdseg export` reads, beyond what the
 * network builder needs. The frozen `SegConfig` of `src/config` satisfies it
 * structurally; tests may pass plain objects.
 */
import type { ModelConfig } from '../models/model-config.js';

/** Config keys read by the export pipeline. */
export interface ExportConfig extends ModelConfig {
  /** `None` (null) disables mean subtraction in PaddleSeg's reader. */
  readonly MEAN: readonly number[] | null;
  readonly STD: readonly number[];
  readonly DATASET: ModelConfig['DATASET'] & { readonly IMAGE_TYPE: string };
  readonly AUG: {
    readonly TO_RGB: boolean;
    readonly AUG_METHOD: string;
    readonly FIX_RESIZE_SIZE: readonly number[];
    readonly INF_RESIZE_VALUE: number;
    readonly MIN_RESIZE_VALUE?: number;
    readonly MAX_RESIZE_VALUE?: number;
  };
  readonly TEST: { readonly TEST_MODEL: string };
  readonly FREEZE: {
    readonly SAVE_DIR: string;
    readonly MODEL_FILENAME?: string;
    readonly PARAMS_FILENAME?: string;
  };
}
