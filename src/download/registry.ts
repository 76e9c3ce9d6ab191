/**
 * The download registry (STYLE.md §7: registries are data). Every model-zoo entry of
 * PaddleSeg v0.7's `pretrained_model/download_model.py` (spec §3.1, in the dict's insertion
 * order) and every dataset of `dataset/download_*.py` (spec §3.3), keyed by the name a
 * PaddleSeg user types. A duplicate name or alias is an error when the registry is built.
 */
import { PdsegError } from '../errors.js';
import { editDistance } from '../util/edit-distance.js';

/** What an entry is; decides its folder under the download root (spec §3.1, §3.3). */
export type ItemKind = 'model' | 'dataset';

/** One downloadable item. */
export interface RegistryEntry {
  /** Name as PaddleSeg spells it (`pspnet50_bn_cityscapes`, `optic_disc_seg`). */
  readonly name: string;
  readonly kind: ItemKind;
  /** Upstream URL of the archive; `--mirror` replaces its scheme and host. */
  readonly url: string;
  /**
   * Target folder relative to the download root, `/`-separated: `pretrained_model/<name>`
   * for models (extraname = name), `dataset/<archive stem>` for datasets (spec §3.2).
   */
  readonly folder: string;
  /** Other names accepted on the command line (`optic` → `optic_disc_seg`). */
  readonly aliases: readonly string[];
  /** Lower-case hex SHA-256 of the archive, when known; verified after download. */
  readonly sha256?: string;
}

/** Raw row of the tables below: `[name, url]` plus optional aliases. */
type Row = readonly [name: string, url: string, aliases?: readonly string[]];

// spec §3.1 — dict `model_urls` of pretrained_model/download_model.py, insertion order.
// `unet_bn_coco` appears twice in PaddleSeg's literal with the same URL; Python keeps the
// first position, and so does this table (a second row would be a duplicate-key error).
const MODEL_ROWS: readonly Row[] = [
  [
    'mobilenetv3_large_ssld_imagenet',
    'https://paddleseg.bj.bcebos.com/models/MobileNetV3_large_x1_0_ssld_pretrained.tar',
  ],
  [
    'mobilenetv2-2-0_bn_imagenet',
    'https://paddle-imagenet-models-name.bj.bcebos.com/MobileNetV2_x2_0_pretrained.tar',
  ],
  [
    'mobilenetv2-1-5_bn_imagenet',
    'https://paddle-imagenet-models-name.bj.bcebos.com/MobileNetV2_x1_5_pretrained.tar',
  ],
  [
    'mobilenetv2-1-0_bn_imagenet',
    'https://paddle-imagenet-models-name.bj.bcebos.com/MobileNetV2_pretrained.tar',
  ],
  [
    'mobilenetv2-0-5_bn_imagenet',
    'https://paddle-imagenet-models-name.bj.bcebos.com/MobileNetV2_x0_5_pretrained.tar',
  ],
  [
    'mobilenetv2-0-25_bn_imagenet',
    'https://paddle-imagenet-models-name.bj.bcebos.com/MobileNetV2_x0_25_pretrained.tar',
  ],
  [
    'mobilenetv3-1-0_large_bn_imagenet',
    'https://paddle-imagenet-models-name.bj.bcebos.com/MobileNetV3_large_x1_0_ssld_pretrained.tar',
  ],
  [
    'mobilenetv3-1-0_small_bn_imagenet',
    'https://paddle-imagenet-models-name.bj.bcebos.com/MobileNetV3_small_x1_0_ssld_pretrained.tar',
  ],
  ['xception41_imagenet', 'https://paddleseg.bj.bcebos.com/models/Xception41_pretrained.tgz'],
  ['xception65_imagenet', 'https://paddleseg.bj.bcebos.com/models/Xception65_pretrained.tgz'],
  ['resnet50_vd_imagenet', 'https://paddleseg.bj.bcebos.com/models/ResNet50_vd_ssld_pretrained.tgz'],
  ['hrnet_w18_bn_imagenet', 'https://paddleseg.bj.bcebos.com/models/hrnet_w18_imagenet.tar'],
  ['hrnet_w30_bn_imagenet', 'https://paddleseg.bj.bcebos.com/models/hrnet_w30_imagenet.tar'],
  ['hrnet_w32_bn_imagenet', 'https://paddleseg.bj.bcebos.com/models/hrnet_w32_imagenet.tar'],
  ['hrnet_w40_bn_imagenet', 'https://paddleseg.bj.bcebos.com/models/hrnet_w40_imagenet.tar'],
  ['hrnet_w44_bn_imagenet', 'https://paddleseg.bj.bcebos.com/models/hrnet_w44_imagenet.tar'],
  ['hrnet_w48_bn_imagenet', 'https://paddleseg.bj.bcebos.com/models/hrnet_w48_imagenet.tar'],
  ['hrnet_w64_bn_imagenet', 'https://paddleseg.bj.bcebos.com/models/hrnet_w64_imagenet.tar'],
  ['deeplabv3p_mobilenetv2-1-0_bn_coco', 'https://paddleseg.bj.bcebos.com/deeplab_mobilenet_x1_0_coco.tgz'],
  ['deeplabv3p_xception65_bn_coco', 'https://paddleseg.bj.bcebos.com/models/xception65_coco.tgz'],
  ['unet_bn_coco', 'https://paddleseg.bj.bcebos.com/models/unet_coco_v3.tgz'],
  ['pspnet50_bn_coco', 'https://paddleseg.bj.bcebos.com/models/pspnet50_coco.tgz'],
  ['pspnet101_bn_coco', 'https://paddleseg.bj.bcebos.com/models/pspnet101_coco.tgz'],
  [
    'deeplabv3p_mobilenetv3_large_cityscapes',
    'https://paddleseg.bj.bcebos.com/models/deeplabv3p_mobilenetv3_large_cityscapes.tar.gz',
  ],
  [
    'deeplabv3p_mobilenetv2-1-0_bn_cityscapes',
    'https://paddleseg.bj.bcebos.com/models/mobilenet_cityscapes.tgz',
  ],
  [
    'deeplabv3p_xception65_gn_cityscapes',
    'https://paddleseg.bj.bcebos.com/models/deeplabv3p_xception65_cityscapes.tgz',
  ],
  [
    'deeplabv3p_xception65_bn_cityscapes',
    'https://paddleseg.bj.bcebos.com/models/xception65_bn_cityscapes.tgz',
  ],
  [
    'deeplabv3p_resnet50_vd_cityscapes',
    'https://paddleseg.bj.bcebos.com/models/deeplabv3p_resnet50_vd_cityscapes.tgz',
  ],
  ['icnet_bn_cityscapes', 'https://paddleseg.bj.bcebos.com/models/icnet_cityscapes.tar.gz'],
  ['pspnet50_bn_cityscapes', 'https://paddleseg.bj.bcebos.com/models/pspnet50_cityscapes.tgz'],
  ['pspnet101_bn_cityscapes', 'https://paddleseg.bj.bcebos.com/models/pspnet101_cityscapes.tgz'],
  ['hrnet_w18_bn_cityscapes', 'https://paddleseg.bj.bcebos.com/models/hrnet_w18_bn_cityscapes.tgz'],
  ['fast_scnn_cityscapes', 'https://paddleseg.bj.bcebos.com/models/fast_scnn_cityscape.tar'],
  ['ocrnet_w18_bn_cityscapes', 'https://paddleseg.bj.bcebos.com/models/ocrnet_w18_bn_cityscapes.tar.gz'],
];

// spec §3.3 — dataset/download_*.py; the folder is the archive stem (no extraname).
// Aliases follow the script names a PaddleSeg user knows (download_optic.py → `optic`).
const DATASET_ROWS: readonly Row[] = [
  ['optic_disc_seg', 'https://paddleseg.bj.bcebos.com/dataset/optic_disc_seg.zip', ['optic']],
  ['mini_pet', 'https://paddleseg.bj.bcebos.com/dataset/mini_pet.zip', ['pet']],
  ['cityscapes', 'https://paddleseg.bj.bcebos.com/dataset/cityscapes.tar'],
  [
    'MiniDeepGlobeRoadExtraction',
    'https://paddleseg.bj.bcebos.com/dataset/MiniDeepGlobeRoadExtraction.zip',
    ['mini_deepglobe_road_extraction'],
  ],
  [
    'VOCtrainval_11-May-2012',
    'https://paddleseg.bj.bcebos.com/dataset/VOCtrainval_11-May-2012.tar',
    ['voc2012'],
  ],
];

/**
 * Last path segment of a URL without its last extension, as PaddleSeg computes the
 * extraction stem (spec §3.2 step 2: `icnet_cityscapes.tar.gz` → `icnet_cityscapes.tar`).
 */
export function archiveStem(url: string): string {
  const base = archiveBasename(url);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

/** Last path segment of a URL (`url.split("/")[-1]`, spec §3.2 step 1). */
export function archiveBasename(url: string): string {
  const path = new URL(url).pathname;
  return decodeURIComponent(path.slice(path.lastIndexOf('/') + 1));
}

/** An immutable name → entry map with aliases, built from rows; duplicates are an error. */
export interface Registry {
  /** Entries in PaddleSeg's order: the 34 models of §3.1, then the datasets of §3.3. */
  readonly entries: readonly RegistryEntry[];
  /** Every accepted name (canonical and alias) → its entry. */
  readonly byName: ReadonlyMap<string, RegistryEntry>;
}

/**
 * Builds a registry from entries. Throws `USAGE`-coded {@link PdsegError} naming the key
 * when a name or alias occurs twice (STYLE.md §7).
 */
export function buildRegistry(entries: readonly RegistryEntry[]): Registry {
  const byName = new Map<string, RegistryEntry>();
  for (const entry of entries) {
    for (const key of [entry.name, ...entry.aliases]) {
      const previous = byName.get(key);
      if (previous) {
        throw new PdsegError(
          'USAGE',
          `download registry: duplicate key '${key}' (in '${previous.name}' and '${entry.name}'); every name and alias must be unique`,
        );
      }
      byName.set(key, entry);
    }
  }
  return { entries: Object.freeze([...entries]), byName };
}

function rowsToEntries(rows: readonly Row[], kind: ItemKind): RegistryEntry[] {
  return rows.map(([name, url, aliases]) => ({
    name,
    kind,
    url,
    folder: kind === 'model' ? `pretrained_model/${name}` : `dataset/${archiveStem(url)}`,
    aliases: aliases ?? [],
  }));
}

/** The entries of spec §3.1 and §3.3, in PaddleSeg's order (models first). */
export function defaultEntries(): RegistryEntry[] {
  return [...rowsToEntries(MODEL_ROWS, 'model'), ...rowsToEntries(DATASET_ROWS, 'dataset')];
}

/** Up to `count` registry names closest to `name` (substring matches first, then edit distance). */
export function nearestNames(registry: Registry, name: string, count = 3): string[] {
  const lower = name.toLowerCase();
  return [...registry.byName.keys()]
    .map((key) => {
      const k = key.toLowerCase();
      const contains = lower.length >= 3 && (k.includes(lower) || lower.includes(k));
      return { key, score: contains ? 0 : editDistance(lower, k) };
    })
    .sort((x, y) => x.score - y.score || x.key.localeCompare(y.key))
    .slice(0, count)
    .map((x) => x.key);
}

/**
 * Finds the entry for a name or alias. Throws `DOWNLOAD_UNKNOWN_NAME` listing the nearest
 * names (PaddleSeg prints "Only support: …", spec §3.1).
 */
export function lookup(registry: Registry, name: string): RegistryEntry {
  const entry = registry.byName.get(name);
  if (entry) return entry;
  const near = nearestNames(registry, name);
  throw new PdsegError(
    'DOWNLOAD_UNKNOWN_NAME',
    `unknown download name '${name}'; did you mean ${near.map((n) => `'${n}'`).join(', ')}? Run 'pdseg download --list' for every name`,
  );
}
