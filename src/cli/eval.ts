/**
 * `pdseg eval --cfg F [--model M] [--json] [--threads N] [--no-fold] [KEY VALUE…]` — eval.py (spec §7.3,
 * §7.4) over `DATASET.VAL_FILE_LIST`: PaddleSeg's final lines, a per-class table, or
 * everything as JSON.
 */
import type { Command } from 'commander';
import { PdsegError } from '../errors.js';
import type { CliContext } from './commands.js';
import { addConfigOptions, configFromCli } from './config-options.js';
import { intFlag } from './int-flag.js';
import { NO_FOLD_HELP } from './predict.js';

/** Parsed flags of `eval`. */
interface EvalFlags {
  cfg?: string;
  model?: string;
  json?: boolean;
  threads?: string;
  /** false with --no-fold. */
  fold: boolean;
  predictions?: string;
}

/** Registers the `eval` command. */
export function define(program: Command, context: CliContext): void {
  const cmd = program
    .command('eval')
    .description(
      'evaluate an exported model on DATASET.VAL_FILE_LIST: mIoU, per-class IoU, accuracy, per-class "Acc" ' +
        "(PaddleSeg's name for PRECISION: correct / predicted pixels of the class), Kappa",
    )
    .option('--model <path>', 'model.onnx or the folder holding it (default: FREEZE.SAVE_DIR)')
    .option('--json', 'print every metric and the confusion matrix as JSON')
    .option('--threads <n>', 'onnxruntime intra-op threads (default: number of cores)')
    .option('--no-fold', NO_FOLD_HELP)
    .option(
      '--predictions <dir>',
      'score masks pdseg predict already wrote (e.g. the union of a sharded run) at the images’ own resolution, instead of running the model',
    );
  addConfigOptions(cmd).action(async (words: string[], opts: EvalFlags) => {
    if (opts.cfg === undefined && words.length === 0) {
      throw new PdsegError(
        'USAGE',
        'eval needs a config: pdseg eval --cfg configs/pspnet_optic.yaml [KEY VALUE…]',
      );
    }
    const threads = intFlag(opts.threads, '--threads');
    const cfg = await configFromCli(opts, words, { requireLists: ['VAL'] });
    const { loadLabelModel, resolveModelPath, checkAgainstModel } = await import('../predict/load-model.js');
    const { settingsFromConfig } = await import('../predict/settings.js');
    const { readEvalList, readClassNames } = await import('../eval/dataset-list.js');
    const { evaluate } = await import('../eval/evaluate.js');
    const { paddleLines, classTable } = await import('../eval/report.js');
    const samples = await readEvalList(
      cfg.DATASET.VAL_FILE_LIST,
      cfg.DATASET.DATA_DIR,
      cfg.DATASET.SEPARATOR,
    );
    if (samples.length === 0) {
      throw new PdsegError(
        'DATASET',
        `DATASET.VAL_FILE_LIST "${cfg.DATASET.VAL_FILE_LIST}" lists no samples`,
      );
    }
    const settings = settingsFromConfig(cfg);
    const model = opts.predictions
      ? undefined
      : await loadLabelModel(await resolveModelPath(opts.model ?? cfg.FREEZE.SAVE_DIR), {
          threads,
          fold: opts.fold,
        });
    try {
      let result: Awaited<ReturnType<typeof evaluate>>;
      if (model) {
        checkAgainstModel(settings, model);
        result = await evaluate({
          samples,
          runner: model.session,
          settings,
          batchSize: cfg.BATCH_SIZE,
          onEvent: context.renderer.sink,
        });
      } else {
        const { evaluateMasks } = await import('../eval/evaluate.js');
        const { resolve } = await import('node:path');
        result = await evaluateMasks({
          samples,
          predictions: resolve(opts.predictions!),
          dataDir: resolve(cfg.DATASET.DATA_DIR),
          numClasses: settings.numClasses,
          ignoreIndex: settings.ignoreIndex,
          onEvent: context.renderer.sink,
        });
      }
      context.renderer.stop();
      const names = await readClassNames(cfg.DATASET.DATA_DIR, settings.numClasses);
      if (opts.json) {
        context.out(
          `${JSON.stringify(
            {
              images: result.images,
              numClasses: result.numClasses,
              miou: result.miou,
              accuracy: result.accuracy,
              categoryIou: result.categoryIou,
              categoryAccPrecision: result.categoryAcc,
              kappa: Number.isNaN(result.kappa) ? null : result.kappa,
              pixels: result.pixels,
              classNames: names ?? null,
              confusionMatrix: result.confusionMatrix,
              seconds: result.seconds,
            },
            null,
            2,
          )}\n`,
        );
      } else {
        context.out(`${paddleLines(result)}\n\n${classTable(result, names)}\n`);
      }
    } finally {
      await model?.session.release();
    }
  });
}
