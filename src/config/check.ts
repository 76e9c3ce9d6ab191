/**
 * `check_and_infer` (spec §1.1), run after the file and command-line merges, in PaddleSeg's
 * order: 1 DATA_DIM from IMAGE_TYPE, 2 PADDING_VALUE = MEAN × 255, 3 crop sizes required,
 * 4 list-file line counts (only for the lists a caller asks for — PaddleSeg opens all three
 * even for export; pdseg does not), 5 ICNET loss weights, 6 AUG_METHOD valid.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { messageOf, PdsegError } from '../errors.js';
import type { ConfigTree } from './defaults.js';

/** A list file `check_and_infer` may count: TRAIN, VAL or TEST. */
export type ListName = 'TRAIN' | 'VAL' | 'TEST';

const AUG_METHODS = ['unpadding', 'stepscaling', 'rangescaling'];

/** Runs the checks on a merged tree, mutating the derived keys. */
export async function checkAndInfer(
  tree: ConfigTree,
  requireLists: readonly ListName[],
  cwd: string,
): Promise<void> {
  const dataset = tree.DATASET as ConfigTree;
  const model = tree.MODEL as ConfigTree;
  const aug = tree.AUG as ConfigTree;
  // 1. spec §1.1: rgb/gray → 3 channels, rgba → 4.
  const imageType = dataset.IMAGE_TYPE;
  if (imageType === 'rgb' || imageType === 'gray') dataset.DATA_DIM = 3;
  else if (imageType === 'rgba') dataset.DATA_DIM = 4;
  else {
    throw new PdsegError(
      'CONFIG_CHECK',
      `DATASET.IMAGE_TYPE config error: got ${JSON.stringify(imageType)}, only \`rgb\`, \`gray\` and \`rgba\` are supported`,
    );
  }
  // 2. PADDING_VALUE is always MEAN × 255 when MEAN is set (a user value is overwritten).
  if (tree.MEAN !== null) dataset.PADDING_VALUE = (tree.MEAN as number[]).map((x) => x * 255.0);
  // 3. Crop sizes must be non-empty (width, height) pairs.
  for (const key of ['TRAIN_CROP_SIZE', 'EVAL_CROP_SIZE']) {
    const v = tree[key] as unknown[];
    if (v.length === 0) {
      throw new PdsegError(
        'CONFIG_CHECK',
        `${key} is empty! Please set a pair of values in format (width, height), e.g. ${key} "(512, 512)"`,
      );
    }
  }
  // 4. Line counts of the list files a command reads.
  for (const name of requireLists) {
    const key = `${name}_FILE_LIST`;
    const file = dataset[key] as string;
    let text: string;
    try {
      text = await readFile(resolve(cwd, file), 'utf8');
    } catch (e) {
      throw new PdsegError(
        'CONFIG_FILE',
        `cannot read DATASET.${key} ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : messageOf(e)}; download the dataset (pdseg download) or set DATASET.${key}`,
        { cause: e },
      );
    }
    dataset[`${name}_TOTAL_IMAGES`] = countLines(text);
  }
  // 5. ICNet needs three loss weights.
  if (model.MODEL_NAME === 'icnet' && (model.MULTI_LOSS_WEIGHT as number[]).length !== 3) {
    model.MULTI_LOSS_WEIGHT = [1.0, 0.4, 0.16];
  }
  // Beyond PaddleSeg: value ranges, so a nonsense value is named here and not discovered as
  // a crash deep in export or predict.
  checkRanges(tree);
  // 6. The augmentation method (PaddleSeg's message repeats "unpadding"; ours lists all three).
  if (!AUG_METHODS.includes(aug.AUG_METHOD as string)) {
    throw new PdsegError(
      'CONFIG_CHECK',
      `AUG.AUG_METHOD config error: got ${JSON.stringify(aug.AUG_METHOD)}, only \`unpadding\`, \`stepscaling\` and \`rangescaling\` are supported`,
    );
  }
}

/** The ranges pdseg checks at config time (every key a network's shapes come from). */
const RANGES: ReadonlyArray<readonly [key: string, lo: number, hi: number, integer: boolean, why: string]> = [
  ['DATASET.NUM_CLASSES', 1, 65536, true, 'the logit layer has one channel per class'],
  [
    'MODEL.PSPNET.DEPTH_MULTIPLIER',
    1 / 64,
    8,
    false,
    'it scales every backbone width, which must stay at least 1',
  ],
  [
    'MODEL.DEEPLAB.DEPTH_MULTIPLIER',
    1 / 32,
    8,
    false,
    'it scales every MobileNet width, which must stay at least 1',
  ],
  [
    'MODEL.ICNET.DEPTH_MULTIPLIER',
    1 / 64,
    8,
    false,
    'it scales every backbone width, which must stay at least 1',
  ],
];

function valueAt(tree: ConfigTree, dotted: string): unknown {
  let node: unknown = tree;
  for (const part of dotted.split('.')) node = (node as ConfigTree | undefined)?.[part];
  return node;
}

function checkRanges(tree: ConfigTree): void {
  for (const [key, lo, hi, integer, why] of RANGES) {
    const v = valueAt(tree, key);
    if (typeof v !== 'number') continue;
    if (!Number.isFinite(v) || v < lo || v > hi || (integer && !Number.isInteger(v))) {
      throw new PdsegError(
        'CONFIG_CHECK',
        `${key} ${v} is out of range: it must be ${integer ? 'an integer' : 'a number'} from ${lo < 0.1 ? `1/${Math.round(1 / lo)}` : lo} to ${hi} (${why})`,
      );
    }
  }
  for (const key of ['TRAIN_CROP_SIZE', 'EVAL_CROP_SIZE']) {
    const v = tree[key] as unknown[];
    if (
      v.length > 0 &&
      (v.length !== 2 || !v.every((x) => Number.isInteger(x) && (x as number) >= 1 && (x as number) <= 16384))
    ) {
      throw new PdsegError(
        'CONFIG_CHECK',
        `${key} ${JSON.stringify(v)} must be (width, height), two integers from 1 to 16384`,
      );
    }
  }
}

/** Python's `len(open(f).readlines())` with universal newlines. */
export function countLines(text: string): number {
  if (text === '') return 0;
  const breaks = text.match(/\r\n|\r|\n/g)?.length ?? 0;
  return /[\r\n]$/.test(text) ? breaks : breaks + 1;
}
