/**
 * `pdseg quickstart`: the seed tutorial in one call (DESIGN.md) — download
 * `pspnet50_bn_cityscapes` and `optic_disc_seg` (spec §3), export with the tutorial's
 * overrides (`configs/pspnet_optic.yaml DATASET.NUM_CLASSES 19 TEST.TEST_MODEL
 * ./pretrained_model/pspnet50_bn_cityscapes/`, spec §2.1, §5), predict the optic test images
 * (spec §7.2). Idempotent: downloads present are skipped, a model exported from the same
 * config is reused, masks newer than the model are kept. `offline` runs the same flow on a
 * seeded synthetic checkpoint and the sample images shipped in `samples/`, and every output
 * it writes says so.
 */
import { copyFile, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, type SegConfig } from '../config/index.js';
import { isPdsegError, PdsegError } from '../errors.js';
import { type ProgressSink, silent } from '../events.js';
import { exportModel } from '../export/export-model.js';
import { openCheckpoint } from '../paddle/checkpoint.js';
import { collectInputs, type PredictItem } from '../predict/inputs.js';
import { loadLabelModel, readModel } from '../predict/load-model.js';
import { predictImages } from '../predict/pipeline.js';
import { writeSyntheticCheckpoint } from './synthetic-checkpoint.js';
import { needsOpticDataset, OPTIC_DATASET, type ZooRecipe, zooRecipe } from './zoo-recipes.js';

/** The zoo model and dataset of the tutorial (spec §3.1, §3.3). */
export const QUICKSTART_MODEL = 'pspnet50_bn_cityscapes';
export const QUICKSTART_DATASET = 'optic_disc_seg';

/** Options of {@link quickstart}. */
export interface QuickstartOptions {
  /** A zoo model name (default the tutorial's `pspnet50_bn_cityscapes`); see zoo-recipes.ts. */
  model?: string;
  /** Working folder (default cwd): receives configs/, pretrained_model/, dataset/, freeze_model/, visual/. */
  dir?: string;
  /** Run on synthetic weights and the shipped samples, without the network. */
  offline?: boolean;
  /** Replaces scheme and host of PaddleSeg's download URLs. */
  mirror?: string;
  /** Extra `KEY VALUE` overrides after the tutorial's (e.g. a small network for tests). */
  overrides?: readonly string[];
  /** onnxruntime intra-op threads. */
  threads?: number;
  onEvent?: ProgressSink;
  /** Download retry delays in ms (default one retry after 1 s). */
  retryDelaysMs?: number[];
}

/** What {@link quickstart} did. */
export interface QuickstartResult {
  synthetic: boolean;
  /** Absolute paths. */
  modelPath: string;
  outputDir: string;
  masks: string[];
  /** Whether the model was exported in this run (false: reused). */
  exported: boolean;
  /** Images segmented in this run (0 when every mask was already there). */
  predicted: number;
  failures: number;
  /** The command that opens the model in the viewer, relative to `dir`. */
  graphCommand: string;
  /** The zoo model, its config and what its checkpoint held. */
  model: string;
  config: string;
  kind: ZooRecipe['kind'];
  numClasses: number;
}

/** Root of the installed package (holds configs/ and samples/). */
function packageRoot(): string {
  return fileURLToPath(new URL('../../', import.meta.url));
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

/** Downloads one item, turning an unreachable host into the one-line advice of the issue. */
async function download(name: string, dir: string, o: QuickstartOptions, emit: ProgressSink): Promise<void> {
  const { downloadItems } = await import('../download/index.js');
  // Download warnings (retries, the failure) are folded into the one line thrown below.
  const summary = await downloadItems([name], {
    root: dir,
    mirror: o.mirror,
    onEvent: (e) => {
      if (e.type !== 'warn') emit(e);
    },
    retryDelaysMs: o.retryDelaysMs ?? [1000],
  });
  const failed = summary.items.find((i) => i.status === 'failed');
  if (!failed) return;
  const e = failed.error;
  const reason = (e?.message ?? 'unknown error').split('\n')[0];
  if (e && (e.code === 'DOWNLOAD_NETWORK' || e.code === 'DOWNLOAD_HTTP')) {
    throw new PdsegError(
      e.code,
      `cannot download ${name} from ${new URL(failed.url).host} (${reason}); run again with --mirror URL (a host serving PaddleSeg's file paths) or --offline (synthetic weights and sample images)`,
      { cause: e, exitCode: 1 },
    );
  }
  throw e ?? new PdsegError('WORK_FAILED', `download of ${name} failed`);
}

/** True when `modelPath` holds a model exported from exactly `cfg`. */
async function exportedFrom(modelPath: string, cfg: SegConfig): Promise<boolean> {
  if (!(await exists(modelPath))) return false;
  try {
    const model = await readModel(modelPath);
    const stored = model.metadataProps.find((m) => m.key === 'CONFIG')?.value;
    return stored === JSON.stringify(cfg);
  } catch (e) {
    if (isPdsegError(e)) return false;
    throw e;
  }
}

/** Keeps the items whose mask is missing or older than the model. */
async function stale(items: PredictItem[], modelPath: string): Promise<PredictItem[]> {
  const modelTime = (await stat(modelPath)).mtimeMs;
  const out: PredictItem[] = [];
  for (const item of items) {
    const s = await stat(item.output).catch(() => undefined);
    if (!s || s.mtimeMs < modelTime) out.push(item);
  }
  return out;
}

/** Runs the tutorial: download → export → predict. See {@link QuickstartOptions}. */
export async function quickstart(o: QuickstartOptions = {}): Promise<QuickstartResult> {
  const emit = o.onEvent ?? silent;
  const dir = resolve(o.dir ?? '.');
  const synthetic = o.offline ?? false;
  const tag = synthetic ? ' [SYNTHETIC weights]' : '';
  const name = o.model ?? QUICKSTART_MODEL;
  const recipe = zooRecipe(name);
  const tutorial = name === QUICKSTART_MODEL;
  const configFile = `configs/${recipe.config}`;
  await mkdir(join(dir, 'configs'), { recursive: true });
  const cfgPath = join(dir, configFile);
  if (!(await exists(cfgPath))) await copyFile(join(packageRoot(), configFile), cfgPath);

  // 1. Download (or synthesise) the checkpoint and the images.
  // The synthetic checkpoint never takes the zoo's folder, so a later online run downloads the real one.
  const checkpoint = synthetic ? `./pretrained_model/${name}_synthetic/` : `./pretrained_model/${name}/`;
  if (!synthetic) {
    await download(name, dir, o, emit);
    await download(QUICKSTART_DATASET, dir, o, emit);
  }
  const classes = await classCountOf(recipe, join(dir, checkpoint), synthetic, join(dir, configFile));
  const overrides = [
    ...recipe.overrides,
    ...(needsOpticDataset(recipe.config) ? OPTIC_DATASET : []),
    ...(classes === undefined ? [] : ['DATASET.NUM_CLASSES', String(classes)]),
    'TEST.TEST_MODEL',
    checkpoint,
    ...(tutorial
      ? synthetic
        ? ['FREEZE.SAVE_DIR', './freeze_model_synthetic']
        : []
      : ['FREEZE.SAVE_DIR', `./freeze_model/${name}${synthetic ? '_synthetic' : ''}`]),
    ...(o.overrides ?? []),
  ];
  const cfg = await loadConfig({ cfgFile: configFile, overrides, cwd: dir });
  if (synthetic) {
    const ckptDir = join(dir, checkpoint);
    const marker = `${ckptDir.replace(/\/$/, '')}.README.txt`;
    const note =
      `SYNTHETIC WEIGHTS written by \`pdseg quickstart --offline\`: seeded values in the layout of ${name}, not a trained network.\n` +
      `Config: ${configFile}; overrides: ${overrides.join(' ')}\n`;
    const current = await readFile(marker, 'utf8').catch(() => '');
    if (current !== note || !(await exists(ckptDir))) {
      emit({
        type: 'info',
        task: 'quickstart',
        message: `writing a synthetic checkpoint to ${checkpoint}${tag}`,
      });
      await writeSyntheticCheckpoint(cfg, ckptDir);
      await writeFile(marker, note);
    }
  }

  // 2. Export (reused when the model was exported from the same config).
  const modelPath = join(resolve(dir, cfg.FREEZE.SAVE_DIR), 'model.onnx');
  let exported = false;
  if (await exportedFrom(modelPath, cfg)) {
    emit({ type: 'info', task: 'quickstart', message: `reusing ${relative(dir, modelPath)}${tag}` });
  } else {
    // An ImageNet backbone has no segmentation head: it keeps its initial values, said so.
    await exportModel(cfg, {
      cwd: dir,
      onEvent: emit,
      skipMismatch: recipe.kind === 'imagenet' && !synthetic,
    });
    exported = true;
  }

  // 3. Predict the test images (or the shipped samples).
  const visual = synthetic ? 'visual_synthetic' : 'visual';
  const outputDir = tutorial ? join(dir, visual) : join(dir, visual, name);
  const items = synthetic
    ? await collectInputs({ inputs: [join(packageRoot(), 'samples')], outputDir, cwd: dir })
    : await collectInputs({
        list: cfg.DATASET.VIS_FILE_LIST ?? cfg.DATASET.TEST_FILE_LIST,
        dataDir: cfg.DATASET.DATA_DIR,
        separator: cfg.DATASET.SEPARATOR,
        outputDir,
        cwd: dir,
      });
  const todo = await stale(items, modelPath);
  let predicted = 0;
  let failures = 0;
  if (todo.length > 0) {
    const model = await loadLabelModel(modelPath, { threads: o.threads });
    try {
      const summary = await predictImages({
        items: todo,
        runner: model.session,
        settings: model.settings,
        onEvent: emit,
      });
      predicted = summary.images;
      failures = summary.failures.length;
    } finally {
      await model.session.release();
    }
  } else {
    emit({
      type: 'info',
      task: 'quickstart',
      message: `all ${items.length} masks in ${relative(dir, outputDir)}/ are up to date${tag}`,
    });
  }
  if (synthetic) {
    await writeFile(
      join(outputDir, 'SYNTHETIC_WEIGHTS.txt'),
      `These masks come from SYNTHETIC weights (pdseg quickstart --offline), not from a trained ${name}. They show the pipeline, not a segmentation.\n`,
    );
  }
  const masks = items.map((i) => i.output);
  return {
    synthetic,
    modelPath,
    outputDir,
    masks,
    exported,
    predicted,
    failures,
    graphCommand: `pdseg graph ${relative(dir, modelPath)}`,
    model: name,
    config: configFile,
    kind: recipe.kind,
    numClasses: cfg.DATASET.NUM_CLASSES,
  };
}

/**
 * The class count to export with: 19 for Cityscapes checkpoints; for COCO ones the first
 * dimension of the downloaded classifier (offline: the config's own); ImageNet backbones
 * keep the config's (their head is initialised).
 */
async function classCountOf(
  recipe: ZooRecipe,
  checkpoint: string,
  synthetic: boolean,
  configPath: string,
): Promise<number | undefined> {
  if (recipe.kind === 'cityscapes') return 19;
  if (recipe.kind === 'imagenet' || synthetic || !recipe.classifier) return undefined;
  const ckpt = await openCheckpoint(checkpoint);
  try {
    const info = ckpt.info(recipe.classifier);
    if (!info) {
      throw new PdsegError(
        'WEIGHT_MISSING',
        `${checkpoint}: no "${recipe.classifier}" to read the class count from; export it yourself with \`pdseg export --cfg ${configPath} DATASET.NUM_CLASSES N\``,
      );
    }
    return info.dims[0];
  } finally {
    await ckpt.close();
  }
}

/** Names of the sample images shipped for `--offline` (sorted). */
export async function sampleImages(): Promise<string[]> {
  return (await readdir(join(packageRoot(), 'samples'))).filter((n) => n.endsWith('.jpg')).sort();
}
