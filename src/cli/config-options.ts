/**
 * The config flags shared by every command that reads a PaddleSeg config (spec §1.1 CLI
 * structure): `--cfg FILE` first, then `KEY VALUE` override pairs, as PaddleSeg's scripts
 * take them (`pdseg export --cfg configs/pspnet_optic.yaml DATASET.NUM_CLASSES 19`).
 */
import type { Command } from 'commander';
import type { ListName, SegConfig } from '../config/index.js';

/** Adds `--cfg <file>` and the variadic `[opts...]` argument (KEY VALUE pairs) to `cmd`. */
export function addConfigOptions(cmd: Command): Command {
  return cmd
    .option('--cfg <file>', 'PaddleSeg YAML config file')
    .argument('[opts...]', 'KEY VALUE config overrides, e.g. DATASET.NUM_CLASSES 19');
}

/** Extra inputs of {@link configFromCli}. */
export interface ConfigFromCliExtra {
  /** List files the command reads (they must exist; their line counts are filled in). */
  requireLists?: ListName[];
  /** Folder relative paths are read from; default `process.cwd()`. */
  cwd?: string;
}

/**
 * Loads the config named by the parsed flags: `opts.cfg` (from {@link addConfigOptions}) and
 * `args`, the `[opts...]` words. Imports the config library lazily (keeps `--help` fast).
 */
export async function configFromCli(
  opts: { cfg?: string },
  args: readonly string[],
  extra: ConfigFromCliExtra = {},
): Promise<SegConfig> {
  const { loadConfig } = await import('../config/index.js');
  return loadConfig({
    cfgFile: opts.cfg,
    overrides: [...args],
    requireLists: extra.requireLists,
    cwd: extra.cwd,
  });
}
