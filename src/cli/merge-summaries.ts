/**
 * `pdseg merge-summaries <summary.json|folder…> [--out FILE]`: the union of the shard
 * summaries of one sharded predict run — totals, every failure, and which shard indices are
 * missing (exit 1 while any is, or any image failed).
 */
import type { Command } from 'commander';
import type { CliContext } from './commands.js';

/** Registers `merge-summaries`. */
export function define(program: Command, context: CliContext): void {
  program
    .command('merge-summaries')
    .description(
      'combine the shard summaries of a sharded predict run; exit 1 if shards are missing or images failed',
    )
    .argument('<paths...>', 'summary files, or folders holding shard-*-of-*.json (e.g. <output>/.pdseg)')
    .option('--out <file>', 'write the merged summary as JSON')
    .action(async (paths: string[], o: { out?: string }) => {
      const { readdir, readFile, stat } = await import('node:fs/promises');
      const { join } = await import('node:path');
      const { mergeSummaries } = await import('../predict/shard.js');
      const { PdsegError, messageOf } = await import('../errors.js');
      const files: string[] = [];
      for (const p of paths) {
        const s = await stat(p).catch(() => undefined);
        if (!s)
          throw new PdsegError(
            'USAGE',
            `"${p}" does not exist; pass shard summary files or the folder holding them`,
          );
        if (s.isDirectory()) {
          for (const n of (await readdir(p)).sort())
            if (/^shard-\d+-of-\d+\.json$/.test(n)) files.push(join(p, n));
        } else files.push(p);
      }
      const list = await Promise.all(
        files.map(async (file) => {
          try {
            return { file, summary: JSON.parse(await readFile(file, 'utf8')) };
          } catch (e) {
            throw new PdsegError('USAGE', `cannot read shard summary "${file}": ${messageOf(e)}`);
          }
        }),
      );
      const merged = mergeSummaries(list);
      if (o.out) {
        const { writeFileAtomic } = await import('../util/atomic.js');
        await writeFileAtomic(o.out, `${JSON.stringify(merged, null, 2)}\n`);
      }
      context.out(
        `${list.length} of ${merged.shards} shard(s): ${merged.images} image(s), ${merged.written} written, ${merged.skipped} already there, ${merged.failures.length} failed` +
          `${merged.missing.length ? `; missing shards: ${merged.missing.join(', ')}` : ''}\n`,
      );
      if (merged.missing.length > 0 || merged.failures.length > 0) process.exitCode = 1;
    });
}
