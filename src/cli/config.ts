/**
 * `pdseg config --cfg F [KEY VALUE…] [--json]`: prints the merged, checked config (spec §1)
 * as YAML, or as JSON with `--json` (tuples as arrays).
 */
import type { Command } from 'commander';
import type { CliContext } from './commands.js';
import { addConfigOptions, configFromCli } from './config-options.js';

/** Registers the `config` command. */
export function define(program: Command, context: CliContext): void {
  const cmd = program
    .command('config')
    .description('print the merged, checked config (defaults ← --cfg file ← KEY VALUE pairs)')
    .option('--json', 'print JSON instead of YAML');
  addConfigOptions(cmd).action(async (words: string[], opts: { cfg?: string; json?: boolean }) => {
    const cfg = await configFromCli(opts, words);
    const { configToJson, configToYaml } = await import('../config/index.js');
    context.out(opts.json ? configToJson(cfg) : configToYaml(cfg));
  });
}
