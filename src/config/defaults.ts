/**
 * The complete default config tree of PaddleSeg v0.7 (spec §1.2), as data: one row per
 * leaf key with its default value and its type. Rows are in PaddleSeg's insertion order.
 *
 * Type grammar (checked by `value-types.ts`): `int`, `float` (ints accepted), `number`
 * (int or float, printed as given), `bool`, `str`, `any`, `list[T]`, `tuple[T]`, `list`
 * (any items), joined with `|`; a `None` alternative allows `None`. `list[…]` and
 * `tuple[…]` both accept a Python list or tuple; the name only says how the default is
 * stored (a tuple prints as `(w, h)` in YAML, as PaddleSeg's own configs write it).
 * Crop and resize sizes are (width, height).
 */

/** Marks an array as a Python tuple (a non-enumerable symbol; JSON sees a plain array). */
export const TUPLE: unique symbol = Symbol.for('pdseg.config.tuple');

/** Makes a tuple-marked array. */
export function tuple<T>(...items: T[]): T[] {
  const a = [...items];
  Object.defineProperty(a, TUPLE, { value: true, enumerable: false });
  return a;
}

/** True when `value` is an array that came from a Python tuple. */
export function isTuple(value: unknown): boolean {
  return Array.isArray(value) && (value as unknown as Record<symbol, unknown>)[TUPLE] === true;
}

/** One leaf of the default tree: dotted key, default value, type (grammar above). */
export type DefaultRow = readonly [key: string, value: unknown, type: string];

/** Every leaf key of spec §1.2 with its default and type. */
export const DEFAULT_ROWS: readonly DefaultRow[] = [
  ['MEAN', [0.5, 0.5, 0.5], 'list[float]|None'],
  ['STD', [0.5, 0.5, 0.5], 'list[float]'],
  ['BATCH_SIZE', 1, 'int'],
  ['EVAL_CROP_SIZE', tuple(), 'tuple[int]'],
  ['TRAIN_CROP_SIZE', tuple(), 'tuple[int]'],
  ['NUM_TRAINERS', 1, 'int'],
  ['TRAINER_ID', 0, 'int'],
  ['DATALOADER.NUM_WORKERS', 8, 'int'],
  ['DATALOADER.BUF_SIZE', 256, 'int'],
  ['DATASET.DATA_DIR', './dataset/cityscapes/', 'str'],
  ['DATASET.TRAIN_FILE_LIST', './dataset/cityscapes/train.list', 'str'],
  ['DATASET.TRAIN_TOTAL_IMAGES', 2975, 'int'],
  ['DATASET.VAL_FILE_LIST', './dataset/cityscapes/val.list', 'str'],
  ['DATASET.VAL_TOTAL_IMAGES', 500, 'int'],
  ['DATASET.TEST_FILE_LIST', './dataset/cityscapes/test.list', 'str'],
  ['DATASET.TEST_TOTAL_IMAGES', 500, 'int'],
  ['DATASET.VIS_FILE_LIST', null, 'str|None'],
  ['DATASET.NUM_CLASSES', 19, 'int'],
  ['DATASET.IMAGE_TYPE', 'rgb', 'str'],
  ['DATASET.DATA_DIM', 3, 'int'],
  ['DATASET.SEPARATOR', ' ', 'str'],
  ['DATASET.IGNORE_INDEX', 255, 'int'],
  ['DATASET.PADDING_VALUE', [127.5, 127.5, 127.5], 'list[float]'],
  ['AUG.AUG_METHOD', 'unpadding', 'str'],
  ['AUG.FIX_RESIZE_SIZE', tuple(512, 512), 'tuple[int]'],
  ['AUG.MIN_SCALE_FACTOR', 0.5, 'float'],
  ['AUG.MAX_SCALE_FACTOR', 2.0, 'float'],
  ['AUG.SCALE_STEP_SIZE', 0.25, 'float'],
  ['AUG.MIN_RESIZE_VALUE', 400, 'int'],
  ['AUG.MAX_RESIZE_VALUE', 600, 'int'],
  ['AUG.INF_RESIZE_VALUE', 500, 'int'],
  ['AUG.MIRROR', true, 'bool'],
  ['AUG.FLIP', false, 'bool'],
  ['AUG.FLIP_RATIO', 0.5, 'float'],
  ['AUG.RICH_CROP.ENABLE', false, 'bool'],
  ['AUG.RICH_CROP.MAX_ROTATION', 15, 'int'],
  ['AUG.RICH_CROP.MIN_AREA_RATIO', 0.5, 'float'],
  ['AUG.RICH_CROP.ASPECT_RATIO', 0.33, 'float'],
  ['AUG.RICH_CROP.BRIGHTNESS_JITTER_RATIO', 0.5, 'float'],
  ['AUG.RICH_CROP.SATURATION_JITTER_RATIO', 0.5, 'float'],
  ['AUG.RICH_CROP.CONTRAST_JITTER_RATIO', 0.5, 'float'],
  ['AUG.RICH_CROP.BLUR', false, 'bool'],
  ['AUG.RICH_CROP.BLUR_RATIO', 0.1, 'float'],
  ['AUG.TO_RGB', false, 'bool'],
  ['TRAIN.MODEL_SAVE_DIR', '', 'str'],
  ['TRAIN.PRETRAINED_MODEL_DIR', '', 'str'],
  ['TRAIN.RESUME_MODEL_DIR', '', 'str'],
  ['TRAIN.SYNC_BATCH_NORM', false, 'bool'],
  ['TRAIN.SNAPSHOT_EPOCH', 10, 'int'],
  ['SOLVER.LR', 0.1, 'float'],
  ['SOLVER.LR_POLICY', 'poly', 'str'],
  ['SOLVER.OPTIMIZER', 'sgd', 'str'],
  ['SOLVER.MOMENTUM', 0.9, 'float'],
  ['SOLVER.MOMENTUM2', 0.999, 'float'],
  ['SOLVER.POWER', 0.9, 'float'],
  ['SOLVER.GAMMA', 0.1, 'float'],
  ['SOLVER.DECAY_EPOCH', [10, 20], 'list[int]'],
  ['SOLVER.WEIGHT_DECAY', 0.00004, 'float'],
  ['SOLVER.BEGIN_EPOCH', 1, 'int'],
  ['SOLVER.NUM_EPOCHS', 30, 'int'],
  ['SOLVER.LOSS', ['softmax_loss'], 'list[str]'],
  ['SOLVER.LOSS_WEIGHT.SOFTMAX_LOSS', 1, 'number'],
  ['SOLVER.LOSS_WEIGHT.DICE_LOSS', 1, 'number'],
  ['SOLVER.LOSS_WEIGHT.BCE_LOSS', 1, 'number'],
  ['SOLVER.LOSS_WEIGHT.LOVASZ_HINGE_LOSS', 1, 'number'],
  ['SOLVER.LOSS_WEIGHT.LOVASZ_SOFTMAX_LOSS', 1, 'number'],
  ['SOLVER.LR_WARMUP', false, 'bool'],
  ['SOLVER.LR_WARMUP_STEPS', 2000, 'int'],
  ['SOLVER.CROSS_ENTROPY_WEIGHT', null, 'str|list[float]|None'],
  ['TEST.TEST_MODEL', '', 'str'],
  ['MODEL.MODEL_NAME', '', 'str'],
  ['MODEL.DEFAULT_NORM_TYPE', 'bn', 'str'],
  ['MODEL.MULTI_LOSS_WEIGHT', [1.0], 'list[float]'],
  ['MODEL.DEFAULT_GROUP_NUMBER', 32, 'int'],
  ['MODEL.DEFAULT_EPSILON', 1e-5, 'float'],
  ['MODEL.BN_MOMENTUM', 0.99, 'float'],
  ['MODEL.FP16', false, 'bool'],
  ['MODEL.SCALE_LOSS', 'DYNAMIC', 'str|number'],
  ['MODEL.DEEPLAB.BACKBONE', 'xception_65', 'str'],
  ['MODEL.DEEPLAB.OUTPUT_STRIDE', 16, 'int'],
  ['MODEL.DEEPLAB.DEPTH_MULTIPLIER', 1.0, 'float'],
  ['MODEL.DEEPLAB.ENCODER_WITH_ASPP', true, 'bool'],
  ['MODEL.DEEPLAB.ENCODER.POOLING_STRIDE', [1, 1], 'list[int]'],
  ['MODEL.DEEPLAB.ENCODER.POOLING_CROP_SIZE', null, 'tuple[int]|None'],
  ['MODEL.DEEPLAB.ENCODER.ASPP_WITH_SE', false, 'bool'],
  ['MODEL.DEEPLAB.ENCODER.SE_USE_QSIGMOID', false, 'bool'],
  ['MODEL.DEEPLAB.ENCODER.ASPP_CONVS_FILTERS', 256, 'int'],
  ['MODEL.DEEPLAB.ENCODER.ASPP_WITH_CONCAT_PROJECTION', true, 'bool'],
  ['MODEL.DEEPLAB.ENCODER.ADD_IMAGE_LEVEL_FEATURE', true, 'bool'],
  ['MODEL.DEEPLAB.ENCODER.ASPP_RATIOS', null, 'list[int]|None'],
  ['MODEL.DEEPLAB.ENABLE_DECODER', true, 'bool'],
  ['MODEL.DEEPLAB.DECODER.USE_SUM_MERGE', false, 'bool'],
  ['MODEL.DEEPLAB.DECODER.CONV_FILTERS', 256, 'int'],
  ['MODEL.DEEPLAB.DECODER.OUTPUT_IS_LOGITS', false, 'bool'],
  ['MODEL.DEEPLAB.ASPP_WITH_SEP_CONV', true, 'bool'],
  ['MODEL.DEEPLAB.DECODER_USE_SEP_CONV', true, 'bool'],
  ['MODEL.DEEPLAB.BACKBONE_LR_MULT_LIST', null, 'list[float]|None'],
  ['MODEL.UNET.UPSAMPLE_MODE', 'bilinear', 'str'],
  ['MODEL.ICNET.DEPTH_MULTIPLIER', 0.5, 'float'],
  ['MODEL.ICNET.LAYERS', 50, 'int'],
  // spec §1.2: stored as int 1 but used as a float multiplier, so both are accepted.
  ['MODEL.PSPNET.DEPTH_MULTIPLIER', 1, 'number'],
  ['MODEL.PSPNET.LAYERS', 50, 'int'],
  ['MODEL.HRNET.STAGE2.NUM_MODULES', 1, 'int'],
  ['MODEL.HRNET.STAGE2.NUM_CHANNELS', [40, 80], 'list[int]'],
  ['MODEL.HRNET.STAGE3.NUM_MODULES', 4, 'int'],
  ['MODEL.HRNET.STAGE3.NUM_CHANNELS', [40, 80, 160], 'list[int]'],
  ['MODEL.HRNET.STAGE4.NUM_MODULES', 3, 'int'],
  ['MODEL.HRNET.STAGE4.NUM_CHANNELS', [40, 80, 160, 320], 'list[int]'],
  ['MODEL.OCR.OCR_MID_CHANNELS', 512, 'int'],
  ['MODEL.OCR.OCR_KEY_CHANNELS', 256, 'int'],
  ['FREEZE.MODEL_FILENAME', '__model__', 'str'],
  ['FREEZE.PARAMS_FILENAME', '__params__', 'str'],
  ['FREEZE.SAVE_DIR', 'freeze_model', 'str'],
  ['SLIM.KNOWLEDGE_DISTILL_IS_TEACHER', false, 'bool'],
  ['SLIM.KNOWLEDGE_DISTILL', false, 'bool'],
  ['SLIM.KNOWLEDGE_DISTILL_TEACHER_MODEL_DIR', '', 'str'],
  ['SLIM.NAS_PORT', 23333, 'int'],
  ['SLIM.NAS_ADDRESS', '', 'str'],
  ['SLIM.NAS_SEARCH_STEPS', 100, 'int'],
  ['SLIM.NAS_START_EVAL_EPOCH', 0, 'int'],
  ['SLIM.NAS_IS_SERVER', true, 'bool'],
  ['SLIM.NAS_SPACE_NAME', '', 'str'],
  ['SLIM.PRUNE_PARAMS', '', 'str'],
  ['SLIM.PRUNE_RATIOS', [], 'list[float]'],
  ['SLIM.PREPROCESS', false, 'bool'],
];

/** A mutable config tree: groups are plain objects, leaves are values. */
export type ConfigTree = { [key: string]: unknown };

/** Builds a fresh, mutable copy of the default tree (spec §1.2). */
export function buildDefaultTree(): ConfigTree {
  const root: ConfigTree = {};
  for (const [key, value] of DEFAULT_ROWS) {
    const parts = key.split('.');
    let node = root;
    for (const part of parts.slice(0, -1)) {
      node[part] ??= {};
      node = node[part] as ConfigTree;
    }
    node[parts[parts.length - 1] as string] = copyValue(value);
  }
  return root;
}

/** Copies a leaf value, keeping the tuple mark. */
export function copyValue(value: unknown): unknown {
  if (!Array.isArray(value)) return value;
  const items = value.map(copyValue);
  return isTuple(value) ? tuple(...items) : items;
}

/** Type string of every leaf key, by dotted key. */
export function leafTypes(): ReadonlyMap<string, string> {
  return new Map(DEFAULT_ROWS.map(([key, , type]) => [key, type]));
}
