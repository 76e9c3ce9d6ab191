/**
 * The command registry (STYLE.md §7): a map from command name to a loader of its module.
 * Each module under `src/cli/` defines one command and imports the library lazily inside
 * its action, so `pdseg --help` stays fast. Only commands that work are listed here.
 */
import type { Command } from 'commander';
import type { Renderer } from './render.js';

/** What every command module exports. */
export interface CommandModule {
  /** Adds the command (name, options, action) to `program`. */
  define(program: Command, context: CliContext): void;
}

/** Shared state handed to commands: the renderer and global flags. */
export interface CliContext {
  renderer: Renderer;
  /** Writes to stdout (results, not progress). */
  out(text: string): void;
}

/** Registered commands, in the order `--help` lists them. */
export const COMMANDS: ReadonlyMap<string, () => Promise<CommandModule>> = new Map<
  string,
  () => Promise<CommandModule>
>([
  ['config', () => import('./config.js')],
  ['download', () => import('./download.js')],
  ['export', () => import('./export.js')],
  ['convert', () => import('./convert.js')],
  ['predict', () => import('./predict.js')],
  ['merge-summaries', () => import('./merge-summaries.js')],
  ['job', () => import('./job.js')],
  ['eval', () => import('./eval.js')],
  ['quickstart', () => import('./quickstart.js')],
  ['service', () => import('./service.js')],
  ['graph', () => import('./graph.js')],
]);
