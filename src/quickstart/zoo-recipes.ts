/**
 * How `pdseg quickstart --model NAME` exports each model of PaddleSeg v0.7's zoo
 * (spec §3.1): the config of its architecture in `configs/` (spec §2.2) and the overrides
 * that make the network match the checkpoint — class count, depth, backbone, widths.
 *
 * - Cityscapes checkpoints have 19 classes.
 * - COCO checkpoints: the class count is read from the checkpoint's classifier when it is
 *   downloaded (`logit/weights`, first dimension); offline, the config's own count is used.
 * - ImageNet checkpoints are classification backbones: the segmentation head is not in
 *   them, so it is exported at its initial values (`--skip-mismatch`) and said so.
 *
 * Every recipe predicts the optic-disc test images (the tutorial's data), at the config's
 * own EVAL_CROP_SIZE: a model trained at Cityscapes resolution keeps it.
 */
import { PdsegError } from '../errors.js';
import { editDistance } from '../util/edit-distance.js';

/** What a zoo checkpoint holds, which decides the class count and the head. */
export type ZooKind = 'cityscapes' | 'coco' | 'imagenet';

/** One zoo model's export recipe. */
export interface ZooRecipe {
  /** Config file under `configs/`. */
  config: string;
  /** `KEY VALUE` overrides after the config (architecture keys only). */
  overrides: readonly string[];
  kind: ZooKind;
  /** The classifier parameter whose first dimension is the class count (COCO models). */
  classifier?: string;
}

/** The optic-disc dataset keys for configs written for other datasets. */
export const OPTIC_DATASET: readonly string[] = [
  'DATASET.DATA_DIR',
  './dataset/optic_disc_seg/',
  'DATASET.TEST_FILE_LIST',
  './dataset/optic_disc_seg/test_list.txt',
  'DATASET.TRAIN_FILE_LIST',
  './dataset/optic_disc_seg/train_list.txt',
  'DATASET.VAL_FILE_LIST',
  './dataset/optic_disc_seg/val_list.txt',
  'DATASET.VIS_FILE_LIST',
  './dataset/optic_disc_seg/test_list.txt',
  'DATASET.SEPARATOR',
  ' ',
  'DATASET.IMAGE_TYPE',
  'rgb',
];

const hrnet = (w: number): string[] => [
  'MODEL.HRNET.STAGE2.NUM_CHANNELS',
  `[${w}, ${2 * w}]`,
  'MODEL.HRNET.STAGE3.NUM_CHANNELS',
  `[${w}, ${2 * w}, ${4 * w}]`,
  'MODEL.HRNET.STAGE4.NUM_CHANNELS',
  `[${w}, ${2 * w}, ${4 * w}, ${8 * w}]`,
];
const mobilenetV2 = (m: string): string[] => ['MODEL.DEEPLAB.DEPTH_MULTIPLIER', m];
const xception = (b: string): string[] => ['MODEL.DEEPLAB.BACKBONE', b];

/** Every model of the download registry, by name. */
export const ZOO_RECIPES: ReadonlyMap<string, ZooRecipe> = new Map<string, ZooRecipe>([
  [
    'mobilenetv3_large_ssld_imagenet',
    { config: 'deeplabv3p_mobilenetv3_large_cityscapes.yaml', overrides: [], kind: 'imagenet' },
  ],
  ...(['2-0', '1-5', '1-0', '0-5', '0-25'] as const).map((m): [string, ZooRecipe] => [
    `mobilenetv2-${m}_bn_imagenet`,
    {
      config: 'deeplabv3p_mobilenet-1-0_pet.yaml',
      overrides: mobilenetV2(m.replace('-', '.')),
      kind: 'imagenet',
    },
  ]),
  [
    'mobilenetv3-1-0_large_bn_imagenet',
    { config: 'deeplabv3p_mobilenetv3_large_cityscapes.yaml', overrides: [], kind: 'imagenet' },
  ],
  [
    'mobilenetv3-1-0_small_bn_imagenet',
    {
      config: 'deeplabv3p_mobilenetv3_large_cityscapes.yaml',
      overrides: ['MODEL.DEEPLAB.BACKBONE', 'mobilenetv3_small'],
      kind: 'imagenet',
    },
  ],
  [
    'xception41_imagenet',
    { config: 'deeplabv3p_xception65_optic.yaml', overrides: xception('xception_41'), kind: 'imagenet' },
  ],
  ['xception65_imagenet', { config: 'deeplabv3p_xception65_optic.yaml', overrides: [], kind: 'imagenet' }],
  [
    'resnet50_vd_imagenet',
    { config: 'deeplabv3p_resnet50_vd_cityscapes.yaml', overrides: [], kind: 'imagenet' },
  ],
  ...[18, 30, 32, 40, 44, 48, 64].map((w): [string, ZooRecipe] => [
    `hrnet_w${w}_bn_imagenet`,
    { config: 'hrnet_optic.yaml', overrides: hrnet(w), kind: 'imagenet' },
  ]),
  [
    'deeplabv3p_mobilenetv2-1-0_bn_coco',
    { config: 'deeplabv3p_mobilenet-1-0_pet.yaml', overrides: [], kind: 'coco', classifier: 'logit/weights' },
  ],
  [
    'deeplabv3p_xception65_bn_coco',
    { config: 'deeplabv3p_xception65_optic.yaml', overrides: [], kind: 'coco', classifier: 'logit/weights' },
  ],
  ['unet_bn_coco', { config: 'unet_optic.yaml', overrides: [], kind: 'coco', classifier: 'logit/weights' }],
  [
    'pspnet50_bn_coco',
    { config: 'pspnet_optic.yaml', overrides: [], kind: 'coco', classifier: 'logit/weights' },
  ],
  [
    'pspnet101_bn_coco',
    {
      config: 'pspnet_optic.yaml',
      overrides: ['MODEL.PSPNET.LAYERS', '101'],
      kind: 'coco',
      classifier: 'logit/weights',
    },
  ],
  [
    'deeplabv3p_mobilenetv3_large_cityscapes',
    { config: 'deeplabv3p_mobilenetv3_large_cityscapes.yaml', overrides: [], kind: 'cityscapes' },
  ],
  [
    'deeplabv3p_mobilenetv2-1-0_bn_cityscapes',
    { config: 'deeplabv3p_mobilenetv2_cityscapes.yaml', overrides: [], kind: 'cityscapes' },
  ],
  [
    'deeplabv3p_xception65_gn_cityscapes',
    {
      config: 'deeplabv3p_xception65_cityscapes.yaml',
      overrides: ['MODEL.DEFAULT_NORM_TYPE', 'gn'],
      kind: 'cityscapes',
    },
  ],
  [
    'deeplabv3p_xception65_bn_cityscapes',
    { config: 'deeplabv3p_xception65_cityscapes.yaml', overrides: [], kind: 'cityscapes' },
  ],
  [
    'deeplabv3p_resnet50_vd_cityscapes',
    { config: 'deeplabv3p_resnet50_vd_cityscapes.yaml', overrides: [], kind: 'cityscapes' },
  ],
  ['icnet_bn_cityscapes', { config: 'icnet_optic.yaml', overrides: [], kind: 'cityscapes' }],
  ['pspnet50_bn_cityscapes', { config: 'pspnet_optic.yaml', overrides: [], kind: 'cityscapes' }],
  [
    'pspnet101_bn_cityscapes',
    { config: 'pspnet_optic.yaml', overrides: ['MODEL.PSPNET.LAYERS', '101'], kind: 'cityscapes' },
  ],
  ['hrnet_w18_bn_cityscapes', { config: 'hrnet_optic.yaml', overrides: [], kind: 'cityscapes' }],
  ['fast_scnn_cityscapes', { config: 'cityscape_fast_scnn.yaml', overrides: [], kind: 'cityscapes' }],
  [
    'ocrnet_w18_bn_cityscapes',
    { config: 'ocrnet_w18_bn_cityscapes.yaml', overrides: [], kind: 'cityscapes' },
  ],
]);

/** The recipe of `name`, or a `USAGE` error listing the nearest zoo names. */
export function zooRecipe(name: string): ZooRecipe {
  const r = ZOO_RECIPES.get(name);
  if (r) return r;
  const near = [...ZOO_RECIPES.keys()]
    .sort((a, b) => editDistance(name, a) - editDistance(name, b))
    .slice(0, 3);
  throw new PdsegError(
    'USAGE',
    `--model "${name}" is not a PaddleSeg v0.7 zoo model; nearest: ${near.join(', ')} (\`pdseg download --list\` lists them all)`,
  );
}

/** True when the config is not written for the optic-disc set (its dataset keys are replaced). */
export function needsOpticDataset(config: string): boolean {
  return !config.includes('optic');
}
