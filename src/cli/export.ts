/**
 * `pdseg export --cfg F [--skip-mismatch] [--triton REPO …] [KEY VALUE…]` (spec §5; DESIGN.md command table):
 * builds the network of `MODEL.MODEL_NAME`, loads `TEST.TEST_MODEL` and writes
 * `<FREEZE.SAVE_DIR>/model.onnx` (or, with `--format paddle`, Paddle's own `__model__` +
 * `__params__`; `both` writes all three) and `deploy.yaml`. The tutorial's
 * `python pdseg/export_model.py --cfg configs/pspnet_optic.yaml DATASET.NUM_CLASSES 19
 * TEST.TEST_MODEL ./pretrained_model/pspnet50_bn_cityscapes/` keeps its arguments.
 */
import { type Command, Option } from 'commander';
import { PdsegError } from '../errors.js';
import type { CliContext } from './commands.js';
import { addConfigOptions, configFromCli } from './config-options.js';
import { addTritonOptions, type TritonFlags, writeTritonFromFlags } from './triton-options.js';

/** Registers the `export` command. */
export function define(program: Command, context: CliContext): void {
  const cmd = program
    .command('export')
    .description(
      'export the configured model with TEST.TEST_MODEL weights to FREEZE.SAVE_DIR/model.onnx + deploy.yaml',
    )
    .option(
      '--skip-mismatch',
      "PaddleSeg's behaviour: keep initial values for missing or mismatched parameters ([SKIP] warnings)",
    )
    .addOption(
      new Option(
        '--format <format>',
        "what to write: onnx (model.onnx), paddle (Paddle 1.8's __model__ + __params__, FREEZE.MODEL_FILENAME/PARAMS_FILENAME) or both",
      )
        .choices(['onnx', 'paddle', 'both'])
        .default('onnx'),
    );
  addTritonOptions(cmd);
  addConfigOptions(cmd).action(
    async (
      words: string[],
      opts: { cfg?: string; skipMismatch?: boolean; format?: 'onnx' | 'paddle' | 'both' } & TritonFlags,
    ) => {
      const verbose = cmd.optsWithGlobals<{ verbose?: boolean }>().verbose ?? false;
      const cfg = await configFromCli(opts, words);
      const { exportModel } = await import('../export/export-model.js');
      const result = await exportModel(cfg, {
        onEvent: context.renderer.sink,
        skipMismatch: opts.skipMismatch ?? false,
        verbose,
        format: opts.format ?? 'onnx',
      });
      if (opts.triton) {
        if (!result.modelPath)
          throw new PdsegError('USAGE', '--triton needs the ONNX model: use --format onnx or both');
        context.out(await writeTritonFromFlags(result.modelPath, opts));
      }
    },
  );
}
