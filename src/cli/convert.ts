/**
 * `pdseg convert DIR --output OUT [--cfg F [KEY VALUE…]] [--triton REPO …]`: a Paddle inference model folder
 * (PaddleSeg's `export_model.py` output: `__model__` + `__params__`, or the names its
 * deploy.yaml gives, per-variable files, or `*.pdmodel` + `*.pdiparams`) → `OUT/model.onnx`
 * and `OUT/deploy.yaml`, which `pdseg predict --model OUT` runs.
 */
import type { Command } from 'commander';
import type { CliContext } from './commands.js';
import { configFromCli } from './config-options.js';
import { addTritonOptions, type TritonFlags, writeTritonFromFlags } from './triton-options.js';

/** Registers the `convert` command. */
export function define(program: Command, context: CliContext): void {
  const cmd = program
    .command('convert')
    .description(
      'convert a Paddle inference model folder (__model__ + __params__) to OUT/model.onnx + deploy.yaml',
    )
    .argument('<dir>', 'the folder export_model.py wrote (freeze_model/)')
    .requiredOption('--output <dir>', 'folder for model.onnx and deploy.yaml')
    .option(
      '--cfg <file>',
      "the model's PaddleSeg config, for the metadata predict needs (default: the folder's deploy.yaml)",
    )
    .argument('[opts...]', 'KEY VALUE config overrides, with --cfg');
  addTritonOptions(cmd);
  cmd.action(async (dir: string, words: string[], opts: { output: string; cfg?: string } & TritonFlags) => {
    const config = opts.cfg !== undefined || words.length > 0 ? await configFromCli(opts, words) : undefined;
    const { convertModel } = await import('../convert/convert-model.js');
    const result = await convertModel(dir, { output: opts.output, config, onEvent: context.renderer.sink });
    context.out(`${result.modelPath}\n`);
    if (opts.triton) context.out(await writeTritonFromFlags(result.modelPath, opts));
  });
}
