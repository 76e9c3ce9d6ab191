/**
 * `pdseg predict --input <dir|file…> [--cfg F] [--model M] [--output visual] [--list FILE]
 * [--recursive] [--threads N] [--batch-size N] [--blend] [--no-fold] [KEY VALUE…]` — vis.py (spec §7.2)
 * on onnxruntime: one 8-bit palette PNG of class ids per image, `<basename>.png`.
 * Settings come from the model's metadata; `--cfg` / KEY VALUE make the config decide.
 */
import type { Command } from 'commander';
import type { CliContext } from './commands.js';
import { addConfigOptions, configFromCli } from './config-options.js';
import { intFlag } from './int-flag.js';

/** Parsed flags of `predict`. */
interface PredictFlags {
  cfg?: string;
  input?: string[];
  model?: string;
  output: string;
  list?: string;
  dataDir?: string;
  recursive?: boolean;
  threads?: string;
  batchSize?: string;
  blend?: boolean;
  /** false with --no-fold. */
  fold: boolean;
  shard?: string;
  shards?: string;
  keepFolders?: boolean;
  skipExisting?: boolean;
  summary?: string;
  server?: string;
  serverModel?: string;
}

/** Help of `--no-fold` (predict and eval). */
export const NO_FOLD_HELP =
  "run the exported network op for op (only the softmax is replaced); by default the PSP pyramid branches are folded through psp_end's 3x3 convolution at their own size — the same sums reassociated, about 20% faster at 512x512";

/**
 * `--server`: the local model file gives only the settings (metadata); the inference
 * runs on the KServe v2 endpoint.
 */
async function remoteModel(modelPath: string, server: string, name: string | undefined) {
  const { readModel } = await import('../predict/load-model.js');
  const { settingsFromMetadata } = await import('../predict/settings.js');
  const { KserveRunner } = await import('../scale/kserve-client.js');
  const model = await readModel(modelPath);
  const settings = settingsFromMetadata(model.metadataProps, modelPath);
  const served = name ?? model.metadataProps.find((m) => m.key === 'MODEL_NAME')?.value ?? 'pdseg';
  const session = Object.assign(await KserveRunner.connect(server, served), { release: async () => {} });
  return { session, settings };
}

/** Registers the `predict` command. */
export function define(program: Command, context: CliContext): void {
  const cmd = program
    .command('predict')
    .description(
      'segment images with an exported model: <output>/<basename>.png palette PNGs of class ids (vis.py)',
    )
    .option('--input <paths...>', 'image files and/or folders (folders are read in sorted order)')
    .option(
      '--model <path>',
      'model.onnx or the folder holding it (default: FREEZE.SAVE_DIR, i.e. freeze_model)',
    )
    .option('--output <dir>', 'output folder', 'visual')
    .option('--list <file>', 'a PaddleSeg list file; image paths are relative to DATASET.DATA_DIR')
    .option(
      '--data-dir <dir>',
      'root of --list entries (default: DATASET.DATA_DIR of --cfg, else the current folder)',
    )
    .option('--recursive', 'also read images in sub-folders')
    .option('--threads <n>', 'onnxruntime intra-op threads (default: number of cores)')
    .option('--batch-size <n>', 'images per inference run (default 1, as vis.py)')
    .option('--blend', 'also write <basename>_blend.jpg, the colour mask blended over the photo')
    .option('--no-fold', NO_FOLD_HELP)
    .option(
      '--shard <I/N>',
      'run shard I of N (0-based): every N-th image of the list from I; default JOB_COMPLETION_INDEX with --shards/PDSEG_SHARDS',
    )
    .option('--shards <n>', 'shard count, with --shard I or JOB_COMPLETION_INDEX (or PDSEG_SHARDS)')
    .option('--keep-folders', "outputs mirror the inputs' folders under --output (implied by sharding)")
    .option(
      '--skip-existing',
      'skip images whose output PNG is already there (a retried shard redoes only the rest)',
    )
    .option(
      '--server <url>',
      'run inference on a KServe v2 endpoint (Triton…) instead of here; settings still come from --model/--cfg',
    )
    .option('--server-model <name>', 'the model name on --server (default MODEL.MODEL_NAME of the model)')
    .option(
      '--summary <file>',
      'write the run summary as JSON (default with a shard: <output>/.pdseg/shard-I-of-N.json)',
    );
  addConfigOptions(cmd).action(async (givenWords: string[], opts: PredictFlags) => {
    // `--input a b KEY VALUE`: the variadic option swallows the overrides; give them back.
    const words = [...givenWords];
    if (opts.input) {
      const { existsSync } = await import('node:fs');
      const at = opts.input.findIndex((p) => /^[A-Z][A-Z0-9_]*(\.[A-Z0-9_]+)*$/.test(p) && !existsSync(p));
      if (at >= 0) {
        words.unshift(...opts.input.slice(at));
        opts.input = opts.input.slice(0, at);
        if (opts.input.length === 0) opts.input = undefined;
      }
    }
    const useConfig = opts.cfg !== undefined || words.length > 0;
    const cfg = useConfig ? await configFromCli(opts, words) : undefined;
    const { collectInputs } = await import('../predict/inputs.js');
    const { loadLabelModel, resolveModelPath, checkAgainstModel } = await import('../predict/load-model.js');
    const { settingsFromConfig } = await import('../predict/settings.js');
    const { predictImages } = await import('../predict/pipeline.js');
    let list = opts.list;
    if (!opts.input && !list && cfg?.DATASET.VIS_FILE_LIST) list = cfg.DATASET.VIS_FILE_LIST;
    const { resolveShard, shardItems, defaultSummaryPath, writeShardSummary, shardExitCode } = await import(
      '../predict/shard.js'
    );
    const shard = resolveShard(opts.shard, opts.shards);
    const startedAt = new Date().toISOString();
    const all = await collectInputs({
      inputs: opts.input,
      list,
      dataDir: opts.dataDir ?? cfg?.DATASET.DATA_DIR ?? '.',
      separator: cfg?.DATASET.SEPARATOR ?? ' ',
      recursive: opts.recursive,
      outputDir: opts.output,
      keepFolders: opts.keepFolders || shard !== undefined,
    });
    const mine = shardItems(all, shard);
    let items = mine;
    if (opts.skipExisting) {
      const { stat } = await import('node:fs/promises');
      const present = await Promise.all(
        mine.map((i) =>
          stat(i.output).then(
            (s) => s.isFile() && s.size > 0,
            () => false,
          ),
        ),
      );
      items = mine.filter((_, k) => !present[k]);
    }
    const skipped = mine.length - items.length;
    const modelPath = await resolveModelPath(opts.model ?? cfg?.FREEZE.SAVE_DIR ?? 'freeze_model');
    const model = opts.server
      ? await remoteModel(modelPath, opts.server, opts.serverModel)
      : await loadLabelModel(modelPath, {
          threads: intFlag(opts.threads, '--threads'),
          fold: opts.fold,
        });
    try {
      const settings = cfg ? settingsFromConfig(cfg) : model.settings;
      if (!opts.server) checkAgainstModel(settings, model as Awaited<ReturnType<typeof loadLabelModel>>);
      const summary = await predictImages({
        items,
        runner: model.session,
        settings,
        batchSize: intFlag(opts.batchSize, '--batch-size'),
        blend: opts.blend,
        onEvent: context.renderer.sink,
      });
      context.renderer.stop();
      const of = shard ? ` (shard ${shard.index}/${shard.count}: ${mine.length} of ${all.length})` : '';
      context.out(
        `${summary.images} of ${items.length} image(s) segmented into ${opts.output}/${of} in ${summary.seconds.toFixed(1)} s ` +
          `(${summary.imagesPerSecond.toFixed(2)} img/s), ${summary.failures.length} failed` +
          `${opts.skipExisting ? `, ${skipped} already there` : ''}\n`,
      );
      const record = {
        shard: shard ?? null,
        images: mine.length,
        written: summary.images,
        skipped,
        failures: summary.failures,
        seconds: summary.seconds,
        imagesPerSecond: summary.imagesPerSecond,
        startedAt,
        finishedAt: new Date().toISOString(),
      };
      const summaryFile = opts.summary ?? (shard ? defaultSummaryPath(opts.output, shard) : undefined);
      if (summaryFile) await writeShardSummary(summaryFile, record);
      if (shard || opts.summary) {
        const code = shardExitCode(record);
        if (code !== 0) process.exitCode = code;
      } else if (summary.failures.length > 0) process.exitCode = 1;
    } finally {
      await model.session.release();
    }
  });
}
