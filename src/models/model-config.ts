/**
 * The part of the checked PaddleSeg config (spec §1.2) that the network builders read. The
 * full `SegConfig` of `src/config` satisfies it structurally, and tests can pass a plain
 * object. Crop sizes are (width, height), as in PaddleSeg.
 */
export interface ModelConfig {
  readonly EVAL_CROP_SIZE: readonly number[];
  readonly DATASET: {
    readonly NUM_CLASSES: number;
    readonly DATA_DIM: number;
  };
  readonly MODEL: {
    readonly MODEL_NAME: string;
    readonly DEFAULT_NORM_TYPE: string;
    readonly DEFAULT_EPSILON: number;
    /** `MODEL.BN_MOMENTUM` (0.99; recorded on the head's batch norms). */
    readonly BN_MOMENTUM?: number;
    readonly PSPNET: { readonly LAYERS: number; readonly DEPTH_MULTIPLIER: number };
    /** `MODEL.DEFAULT_GROUP_NUMBER` (32), for `DEFAULT_NORM_TYPE gn`. */
    readonly DEFAULT_GROUP_NUMBER?: number;
    readonly UNET?: { readonly UPSAMPLE_MODE: string };
    /** `MODEL.DEEPLAB.*` (see modeling/deeplab.ts for the keys read). */
    readonly DEEPLAB?: unknown;
    readonly HRNET?: {
      readonly STAGE2: { readonly NUM_MODULES: number; readonly NUM_CHANNELS: readonly number[] };
      readonly STAGE3: { readonly NUM_MODULES: number; readonly NUM_CHANNELS: readonly number[] };
      readonly STAGE4: { readonly NUM_MODULES: number; readonly NUM_CHANNELS: readonly number[] };
    };
    readonly OCR?: { readonly OCR_MID_CHANNELS: number; readonly OCR_KEY_CHANNELS: number };
    readonly ICNET?: { readonly DEPTH_MULTIPLIER: number; readonly LAYERS: number };
  };
  readonly SOLVER?: { readonly LOSS?: readonly string[] };
}
