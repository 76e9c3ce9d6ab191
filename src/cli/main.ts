/**
 * The `pdseg` command line: a thin layer that parses flags, hands them to the library and
 * renders its events (STYLE.md, Vite's CLI). Errors are printed as one line and mapped to
 * exit codes: 2 bad usage or input, 1 the work failed (DESIGN.md). `--verbose` adds stacks.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { isPdsegError, PdsegError } from '../errors.js';
import { type CliContext, COMMANDS } from './commands.js';
import { createRenderer } from './render.js';

/** Version from package.json, read once. */
export function packageVersion(): string {
  const url = new URL('../../package.json', import.meta.url);
  return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
}

/** Formats any thrown value as the one line (or, verbose, the stack) a user sees. */
export function formatError(e: unknown, verbose: boolean): string {
  if (isPdsegError(e)) {
    let text = `pdseg: error [${e.code}]: ${e.message}`;
    if (verbose) {
      text += `\n${e.stack ?? ''}`;
      if (e.cause) text += `\ncaused by: ${e.cause instanceof Error ? e.cause.stack : String(e.cause)}`;
    }
    return text;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  return verbose
    ? `pdseg: unexpected error: ${err.stack}`
    : `pdseg: unexpected error: ${err.message} (run with --verbose for details)`;
}

/** Runs the CLI with `argv` (without node and script) and resolves to the exit code. */
export async function run(argv: string[]): Promise<number> {
  const renderer = createRenderer();
  const context: CliContext = { renderer, out: (text) => process.stdout.write(text) };
  const program = new Command('pdseg')
    .description('PaddleSeg v0.7 static-graph workflow on ONNX Runtime')
    .version(packageVersion(), '-V, --version')
    .option('--verbose', 'print stack traces and extra detail')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const load of COMMANDS.values()) (await load()).define(program, context);
  const verbose = argv.includes('--verbose');
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    renderer.stop();
    if (e instanceof CommanderError) {
      // --help and --version end through here with exit code 0.
      return e.exitCode === 0 ? 0 : 2;
    }
    process.stderr.write(`${formatError(e, verbose)}\n`);
    return e instanceof PdsegError ? e.exitCode : 1;
  } finally {
    renderer.stop();
  }
}
