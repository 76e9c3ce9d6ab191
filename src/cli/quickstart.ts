/**
 * `pdseg quickstart [--model NAME] [--offline] [--mirror URL] [--dir D] [--threads N]
 * [KEY VALUE…]`: the seed tutorial in one command — download, export with the tutorial's
 * overrides (or NAME's recipe), predict the optic test images — then prints where the masks
 * are and the `pdseg graph` command.
 */
import type { Command } from 'commander';
import { PdsegError } from '../errors.js';
import type { CliContext } from './commands.js';
import { intFlag } from './int-flag.js';

/** Parsed flags of `quickstart`. */
interface QuickstartFlags {
  model?: string;
  offline?: boolean;
  mirror?: string;
  dir?: string;
  threads?: string;
}

/** Registers the `quickstart` command. */
export function define(program: Command, context: CliContext): void {
  program
    .command('quickstart')
    .description(
      'the PSPNet tutorial in one command: download pspnet50_bn_cityscapes + optic_disc_seg, export, predict (idempotent)',
    )
    .option(
      '--model <name>',
      'any zoo model of `pdseg download --list` instead of pspnet50_bn_cityscapes (its config and class count)',
    )
    .option('--offline', 'no network: a seeded SYNTHETIC checkpoint and the sample images in samples/')
    .option(
      '--mirror <url>',
      "host serving PaddleSeg's download paths (replaces https://paddleseg.bj.bcebos.com)",
    )
    .option('--dir <dir>', 'working folder (default: the current folder)')
    .option('--threads <n>', 'onnxruntime intra-op threads (default: number of cores)')
    .argument('[opts...]', "extra KEY VALUE config overrides, applied after the tutorial's")
    .action(async (words: string[], opts: QuickstartFlags) => {
      if (opts.offline && opts.mirror)
        throw new PdsegError('USAGE', '--offline and --mirror exclude each other');
      const threads = intFlag(opts.threads, '--threads');
      const { quickstart } = await import('../quickstart/quickstart.js');
      const r = await quickstart({
        model: opts.model,
        dir: opts.dir,
        offline: opts.offline,
        mirror: opts.mirror,
        overrides: words,
        threads,
        onEvent: context.renderer.sink,
      });
      context.renderer.stop();
      const { relative } = await import('node:path');
      const rel = (p: string) => relative(process.cwd(), p) || '.';
      const lines = [
        r.synthetic
          ? `SYNTHETIC WEIGHTS (--offline) in the layout of ${r.model}: the masks below show the pipeline, not a trained segmentation.`
          : `${r.model} exported with ${r.config} DATASET.NUM_CLASSES ${r.numClasses}${opts.model ? '' : ' (the tutorial)'}.`,
        ...(r.kind === 'imagenet' && !r.synthetic
          ? [
              `${r.model} is an ImageNet backbone: the segmentation head was not in it and keeps its initial values.`,
            ]
          : []),
        `model:  ${rel(r.modelPath)}${r.exported ? '' : ' (reused)'}`,
        `masks:  ${rel(r.outputDir)}/ (${r.masks.length} palette PNGs, ${r.predicted} written now${r.failures ? `, ${r.failures} failed` : ''})`,
        `look at the network:  ${r.graphCommand}`,
      ];
      context.out(`${lines.join('\n')}\n`);
      if (r.failures > 0) process.exitCode = 1;
    });
}
