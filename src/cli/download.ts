/**
 * `pdseg download <name…> [--list] [--dir D] [--mirror URL] [--force]` (spec §3; replaces
 * `pretrained_model/download_model.py` and `dataset/download_*.py`). Parses flags, calls
 * `src/download`, renders its events and prints one summary; exit 1 when any item failed.
 */
import type { Command } from 'commander';
import { PdsegError } from '../errors.js';
import type { CliContext } from './commands.js';

interface DownloadFlags {
  list?: boolean;
  dir?: string;
  mirror?: string;
  force?: boolean;
  maxExtractSize?: string;
  maxExpansionRatio?: string;
}

/** Pads the columns of `rows` to a plain-text table. */
function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows
    .map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join('  '))
    .join('\n');
}

async function expansionFlags(flags: DownloadFlags): Promise<{ maxBytes?: number; maxRatio?: number }> {
  const { parseSize } = await import('../download/expansion.js');
  const out: { maxBytes?: number; maxRatio?: number } = {};
  if (flags.maxExtractSize !== undefined)
    out.maxBytes = parseSize(flags.maxExtractSize, '--max-extract-size');
  if (flags.maxExpansionRatio !== undefined) {
    const r = Number(flags.maxExpansionRatio);
    if (!(r > 0))
      throw new PdsegError(
        'USAGE',
        `--max-expansion-ratio "${flags.maxExpansionRatio}" must be a positive number`,
      );
    out.maxRatio = r;
  }
  return out;
}

/** Registers the `download` command. */
export function define(program: Command, context: CliContext): void {
  program
    .command('download')
    .description(
      'download PaddleSeg v0.7 pretrained models and datasets (pdseg download --list shows every name)',
    )
    .argument('[names...]', 'model-zoo or dataset names, e.g. pspnet50_bn_cityscapes optic_disc_seg')
    .option('--list', 'print every name with its kind, whether it is present, and its URL')
    .option(
      '--dir <dir>',
      'root folder: models go to <dir>/pretrained_model/, datasets to <dir>/dataset/',
      '.',
    )
    .option(
      '--mirror <url>',
      'replace scheme and host of every URL, keeping the path (default $PDSEG_MIRROR)',
    )
    .option('--force', 'replace a target that is already present')
    .option('--max-extract-size <size>', 'refuse archives that expand past this size (default 64G)')
    .option('--max-expansion-ratio <n>', 'refuse archives that expand past n times their size (default 100)')
    .action(async (names: string[], flags: DownloadFlags) => {
      const { downloadItems, listItems } = await import('../download/index.js');
      const mirror = flags.mirror ?? (process.env.PDSEG_MIRROR || undefined);
      if (flags.list) {
        const rows = listItems({ root: flags.dir, mirror }).map((r) => [
          r.entry.name,
          r.entry.kind,
          r.entry.aliases.join(',') || '-',
          r.present ? 'yes' : 'no',
          r.url,
        ]);
        context.out(`${table([['NAME', 'KIND', 'ALIASES', 'PRESENT', 'URL'], ...rows])}\n`);
        return;
      }
      if (names.length === 0) {
        throw new PdsegError(
          'USAGE',
          "give one or more names, e.g. 'pdseg download pspnet50_bn_cityscapes', or --list to see them all",
        );
      }
      const summary = await downloadItems(names, {
        root: flags.dir,
        mirror,
        force: flags.force ?? false,
        onEvent: context.renderer.sink,
        expansion: await expansionFlags(flags),
      });
      context.renderer.stop();
      for (const item of summary.items) {
        if (item.status === 'failed' && item.error) {
          process.stderr.write(`pdseg: error [${item.error.code}]: ${item.error.message}\n`);
        }
      }
      const lines = summary.items.map((i) => `${i.status.padEnd(10)} ${i.entry.name} → ${i.target}`);
      context.out(
        `${lines.join('\n')}\n${summary.downloaded} downloaded, ${summary.skipped} skipped, ${summary.failed} failed\n`,
      );
      if (summary.failed > 0) process.exitCode = 1;
    });
}
