/**
 * `pdseg predict --input <dir|file…> [--cfg F] [--model M] [--output visual] [--list FILE]
 * [--recursive] [--threads N] [--batch-size N] [--blend] [--no-fold] [KEY VALUE…]` — vis.py (spec §7.2)
 * on onnxruntime: one 8-bit palette PNG of class ids per image, `<basename>.png`.
 * Settings come from the model's metadata; `--cfg` / KEY VALUE make the config decide.
 */
import type { Command } from 'commander';
import { PdsegError } from '../errors.js';
import type { CliContext } from './commands.js';
import { addConfigOptions, configFromCli } from './config-options.js';

/** Parsed flags of `predict`. */
interface PredictFlags {
  cfg?: string;
  input?: string[];
  model?: string;
  output: string;
  list?: string;
  recursive?: boolean;
  threads?: string;
  batchSize?: string;
  blend?: boolean;
  /** false with --no-fold. */
  fold: boolean;
}

function positiveInt(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1)
    throw new PdsegError('USAGE', `${flag} must be a positive integer, got "${text}"`);
  return n;
}

/** Help of `--no-fold` (predict and eval). */
export const NO_FOLD_HELP =
  "run the exported network op for op (only the softmax is replaced); by default the PSP pyramid branches are folded through psp_end's 3x3 convolution at their own size — the same sums reassociated, about 20% faster at 512x512";

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
    .option('--recursive', 'also read images in sub-folders')
    .option('--threads <n>', 'onnxruntime intra-op threads (default: number of cores)')
    .option('--batch-size <n>', 'images per inference run (default 1, as vis.py)')
    .option('--blend', 'also write <basename>_blend.jpg, the colour mask blended over the photo')
    .option('--no-fold', NO_FOLD_HELP);
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
    const items = await collectInputs({
      inputs: opts.input,
      list,
      dataDir: cfg?.DATASET.DATA_DIR ?? '.',
      separator: cfg?.DATASET.SEPARATOR ?? ' ',
      recursive: opts.recursive,
      outputDir: opts.output,
    });
    const modelPath = await resolveModelPath(opts.model ?? cfg?.FREEZE.SAVE_DIR ?? 'freeze_model');
    const model = await loadLabelModel(modelPath, {
      threads: positiveInt(opts.threads, '--threads'),
      fold: opts.fold,
    });
    try {
      const settings = cfg ? settingsFromConfig(cfg) : model.settings;
      checkAgainstModel(settings, model);
      const summary = await predictImages({
        items,
        runner: model.session,
        settings,
        batchSize: positiveInt(opts.batchSize, '--batch-size'),
        blend: opts.blend,
        onEvent: context.renderer.sink,
      });
      context.renderer.stop();
      context.out(
        `${summary.images} of ${items.length} image(s) segmented into ${opts.output}/ in ${summary.seconds.toFixed(1)} s ` +
          `(${summary.imagesPerSecond.toFixed(2)} img/s), ${summary.failures.length} failed\n`,
      );
      if (summary.failures.length > 0) process.exitCode = 1;
    } finally {
      await model.session.release();
    }
  });
}
