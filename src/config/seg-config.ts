/**
 * The typed shape of a checked config (spec §1.2). Crop and resize sizes are
 * `[width, height]`. Every object is deeply frozen; tuples are plain arrays. The index
 * signatures keep any key readable by name as well.
 */
type Leaf = string | number | boolean | null | readonly unknown[];

/** `DATALOADER.*`. */
export interface DataloaderConfig {
  readonly NUM_WORKERS: number;
  readonly BUF_SIZE: number;
  readonly [key: string]: Leaf;
}

/** `DATASET.*`. */
export interface DatasetConfig {
  readonly DATA_DIR: string;
  readonly TRAIN_FILE_LIST: string;
  readonly TRAIN_TOTAL_IMAGES: number;
  readonly VAL_FILE_LIST: string;
  readonly VAL_TOTAL_IMAGES: number;
  readonly TEST_FILE_LIST: string;
  readonly TEST_TOTAL_IMAGES: number;
  readonly VIS_FILE_LIST: string | null;
  readonly NUM_CLASSES: number;
  readonly IMAGE_TYPE: 'rgb' | 'gray' | 'rgba';
  readonly DATA_DIM: 3 | 4;
  readonly SEPARATOR: string;
  readonly IGNORE_INDEX: number;
  readonly PADDING_VALUE: readonly number[];
  readonly [key: string]: Leaf;
}

/** `AUG.RICH_CROP.*`. */
export interface RichCropConfig {
  readonly ENABLE: boolean;
  readonly MAX_ROTATION: number;
  readonly MIN_AREA_RATIO: number;
  readonly ASPECT_RATIO: number;
  readonly BRIGHTNESS_JITTER_RATIO: number;
  readonly SATURATION_JITTER_RATIO: number;
  readonly CONTRAST_JITTER_RATIO: number;
  readonly BLUR: boolean;
  readonly BLUR_RATIO: number;
  readonly [key: string]: Leaf;
}

/** `AUG.*`. */
export interface AugConfig {
  readonly AUG_METHOD: 'unpadding' | 'stepscaling' | 'rangescaling';
  readonly FIX_RESIZE_SIZE: readonly number[];
  readonly MIN_SCALE_FACTOR: number;
  readonly MAX_SCALE_FACTOR: number;
  readonly SCALE_STEP_SIZE: number;
  readonly MIN_RESIZE_VALUE: number;
  readonly MAX_RESIZE_VALUE: number;
  readonly INF_RESIZE_VALUE: number;
  readonly MIRROR: boolean;
  readonly FLIP: boolean;
  readonly FLIP_RATIO: number;
  readonly RICH_CROP: RichCropConfig;
  readonly TO_RGB: boolean;
  readonly [key: string]: Leaf | RichCropConfig;
}

/** `TRAIN.*`. */
export interface TrainConfig {
  readonly MODEL_SAVE_DIR: string;
  readonly PRETRAINED_MODEL_DIR: string;
  readonly RESUME_MODEL_DIR: string;
  readonly SYNC_BATCH_NORM: boolean;
  readonly SNAPSHOT_EPOCH: number;
  readonly [key: string]: Leaf;
}

/** `SOLVER.*`. */
export interface SolverConfig {
  readonly LR: number;
  readonly LR_POLICY: string;
  readonly OPTIMIZER: string;
  readonly MOMENTUM: number;
  readonly MOMENTUM2: number;
  readonly POWER: number;
  readonly GAMMA: number;
  readonly DECAY_EPOCH: readonly number[];
  readonly WEIGHT_DECAY: number;
  readonly BEGIN_EPOCH: number;
  readonly NUM_EPOCHS: number;
  readonly LOSS: readonly string[];
  readonly LOSS_WEIGHT: { readonly [key: string]: number };
  readonly LR_WARMUP: boolean;
  readonly LR_WARMUP_STEPS: number;
  readonly CROSS_ENTROPY_WEIGHT: string | readonly number[] | null;
  readonly [key: string]: Leaf | { readonly [key: string]: number };
}

/** `MODEL.*` (sub-groups typed loosely: `cfg.MODEL.PSPNET.LAYERS` is a number). */
export interface ModelConfig {
  readonly MODEL_NAME: string;
  readonly DEFAULT_NORM_TYPE: string;
  readonly MULTI_LOSS_WEIGHT: readonly number[];
  readonly DEFAULT_GROUP_NUMBER: number;
  readonly DEFAULT_EPSILON: number;
  readonly BN_MOMENTUM: number;
  readonly FP16: boolean;
  readonly SCALE_LOSS: string | number;
  readonly PSPNET: { readonly DEPTH_MULTIPLIER: number; readonly LAYERS: number };
  readonly ICNET: { readonly DEPTH_MULTIPLIER: number; readonly LAYERS: number };
  readonly UNET: { readonly UPSAMPLE_MODE: string };
  readonly OCR: { readonly OCR_MID_CHANNELS: number; readonly OCR_KEY_CHANNELS: number };
  // biome-ignore lint/suspicious/noExplicitAny: deep sub-trees (DEEPLAB, HRNET) are read by key.
  readonly [key: string]: any;
}

/** A merged, checked, deeply frozen PaddleSeg config (spec §1.2 keys). */
export interface SegConfig {
  readonly MEAN: readonly number[] | null;
  readonly STD: readonly number[];
  readonly BATCH_SIZE: number;
  /** `[width, height]`. */
  readonly EVAL_CROP_SIZE: readonly number[];
  /** `[width, height]`. */
  readonly TRAIN_CROP_SIZE: readonly number[];
  readonly NUM_TRAINERS: number;
  readonly TRAINER_ID: number;
  readonly DATALOADER: DataloaderConfig;
  readonly DATASET: DatasetConfig;
  readonly AUG: AugConfig;
  readonly TRAIN: TrainConfig;
  readonly SOLVER: SolverConfig;
  readonly TEST: { readonly TEST_MODEL: string; readonly [key: string]: Leaf };
  readonly MODEL: ModelConfig;
  readonly FREEZE: {
    readonly MODEL_FILENAME: string;
    readonly PARAMS_FILENAME: string;
    readonly SAVE_DIR: string;
    readonly [key: string]: Leaf;
  };
  // biome-ignore lint/suspicious/noExplicitAny: SLIM and any other key, read by name.
  readonly [key: string]: any;
}
