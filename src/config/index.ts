/**
 * The config system (spec §1): defaults ← `--cfg` YAML file ← `KEY VALUE` overrides, then
 * `check_and_infer`. The result is a deeply frozen plain object with the keys of spec §1.2
 * (`cfg.DATASET.NUM_CLASSES`, `cfg.EVAL_CROP_SIZE` as `[width, height]`, …).
 */
import { resolve } from 'node:path';
import { checkAndInfer, type ListName } from './check.js';
import { buildDefaultTree, type ConfigTree } from './defaults.js';
import { treeToYaml } from './format.js';
import { mergeMapping, mergeOverrides } from './merge.js';
import { pythonRepr } from './python-repr.js';
import type { SegConfig } from './seg-config.js';
import { readYamlSource } from './yaml-source.js';

export type { ListName } from './check.js';
export { isTuple } from './defaults.js';
export type { SegConfig } from './seg-config.js';

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions {
  /** YAML config file (`--cfg`), relative to `cwd`. */
  cfgFile?: string;
  /** `KEY VALUE` words from the command line, applied after the file. */
  overrides?: readonly string[];
  /**
   * List files the caller will read (spec §1.1 item 4): each must exist, and its line count
   * is stored in `DATASET.<NAME>_TOTAL_IMAGES`. Default: none (PaddleSeg needs all three).
   */
  requireLists?: ReadonlyArray<ListName>;
  /** Folder that relative paths are read from; default `process.cwd()`. Paths in the config stay as given. */
  cwd?: string;
}

/**
 * Loads, merges and checks a config (spec §1.1 order).
 * @throws PdsegError `CONFIG_FILE`, `CONFIG_PARSE`, `CONFIG_UNKNOWN_KEY`, `CONFIG_TYPE`,
 *   `CONFIG_OVERRIDES` or `CONFIG_CHECK`.
 */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<SegConfig> {
  const cwd = options.cwd ?? process.cwd();
  const tree = buildDefaultTree();
  if (options.cfgFile !== undefined) {
    const source = await readYamlSource(resolve(cwd, options.cfgFile), options.cfgFile);
    mergeMapping(tree, source.data, '', { kind: 'file', source });
  }
  mergeOverrides(tree, options.overrides ?? []);
  await checkAndInfer(tree, options.requireLists ?? [], cwd);
  return deepFreeze(tree) as SegConfig;
}

/** The default config of spec §1.2, unchecked (its crop sizes are empty), frozen. */
export function defaultConfig(): SegConfig {
  return deepFreeze(buildDefaultTree()) as SegConfig;
}

/** YAML text of a config; loading it with `--cfg` gives the same config back. */
export function configToYaml(cfg: SegConfig): string {
  return treeToYaml(cfg as ConfigTree);
}

/** JSON text of a config (tuples as arrays), two-space indented, with a final newline. */
export function configToJson(cfg: SegConfig): string {
  return `${JSON.stringify(cfg, null, 2)}\n`;
}

/** Python-style text of one config value (`(512, 512)`, `'pspnet'`, `None`). */
export function formatValue(value: unknown): string {
  return pythonRepr(value);
}

function deepFreeze(value: unknown): unknown {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
