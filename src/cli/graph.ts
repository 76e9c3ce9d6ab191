/**
 * `pdseg graph <model>` (issue 6): opens an ONNX or Paddle model in the browser viewer,
 * served locally, or writes one self-contained HTML file with `--html`.
 */
import { sep } from 'node:path';
import type { Command } from 'commander';
import { PdsegError } from '../errors.js';
import type { CliContext } from './commands.js';

interface GraphFlags {
  port: string;
  host: string;
  html?: string;
  withWeights?: boolean;
  open?: boolean;
  source?: string[];
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new PdsegError('USAGE', `--port '${text}' is not a port number (0-65535)`);
  }
  return port;
}

async function openBrowser(url: string): Promise<void> {
  const { spawn } = await import('node:child_process');
  const cmd = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  const child = spawn(cmd, [url], { stdio: 'ignore', detached: true });
  child.on('error', () => undefined);
  child.unref();
}

/** The shortest trailing part of `path` (whole segments) that differs from `other`'s. */
function distinctTail(path: string, other: string): string {
  const a = path.split(sep);
  const b = other.split(sep);
  for (let n = 1; n <= a.length; n++) {
    if (a.slice(-n).join('/') !== b.slice(-n).join('/')) return a.slice(-n).join('/');
  }
  return a.join('/');
}

async function run(
  model: string,
  other: string | undefined,
  flags: GraphFlags,
  context: CliContext,
): Promise<void> {
  const port = parsePort(flags.port);
  const { loadModelForView } = await import('../viewer/load.js');
  const { prepareForView } = await import('../viewer/prepare.js');
  const options = { withWeights: flags.withWeights === true, sourceRoots: flags.source ?? [] };
  const load = async (path: string) => {
    const loaded = await loadModelForView(path, options);
    const g = loaded.graph;
    context.out(
      `${loaded.path}: ${loaded.format}${g.formatVersion ? ` (${g.formatVersion})` : ''}, ${g.nodes.length} ops\n`,
    );
    if (loaded.weights) {
      context.out(
        loaded.weights.attached > 0
          ? `  weights: ${loaded.weights.attached} tensors from ${loaded.weights.path}\n`
          : `  weights: not shown (${loaded.weights.reason})\n`,
      );
    }
    const sources = Object.keys(g.sources ?? {}).length;
    if (sources > 0)
      context.out(`  source: ${sources} file${sources === 1 ? '' : 's'} for the source pane\n`);
    return { loaded, graph: prepareForView(g) };
  };
  const first = await load(model);
  let loaded = first.loaded;
  let graph = first.graph;
  if (other !== undefined) {
    // spec-free (issue 7): the first model is "before" (A), the second "after" (B).
    const second = await load(other);
    const { compareForView } = await import('../viewer/compare.js');
    // The page draws A and B side by side (A = beforeGraph, left pane) or B alone with marks.
    // Two exports are often both `freeze_model/model.onnx`: enough of their paths to tell them apart.
    const label = (l: typeof loaded) =>
      l.fileName === (l === first.loaded ? second : first).loaded.fileName
        ? distinctTail(l.path, (l === first.loaded ? second : first).loaded.path)
        : l.fileName;
    const compare = { ...compareForView(graph, second.graph, label(first.loaded)), beforeGraph: graph };
    loaded = { ...second.loaded, fileName: label(second.loaded) };
    graph = { ...second.graph, compare };
    context.out(
      `compare: ${compare.added.length} added, ${compare.removed.length} removed, ${compare.attributes.length} attribute and ${compare.parameters.length} parameter changes\n`,
    );
  }
  if (flags.html) {
    const { viewerStandaloneHtml } = await import('../viewer/page.js');
    const { writeFileAtomic } = await import('../util/atomic.js');
    const html = await viewerStandaloneHtml({ graph, fileName: loaded.fileName });
    await writeFileAtomic(flags.html, html);
    context.out(
      `wrote ${flags.html} (${(Buffer.byteLength(html) / 1024).toFixed(0)} KiB); open it in a browser\n`,
    );
    return;
  }
  const { startViewerServer } = await import('../viewer/server.js');
  const server = await startViewerServer({ graph, fileName: loaded.fileName, host: flags.host, port });
  if (server.port !== server.requestedPort && server.requestedPort !== 0) {
    context.out(`port ${server.requestedPort} is busy; using ${server.port}\n`);
  }
  context.out(`pdseg graph: serving ${loaded.fileName} at ${server.url} (Ctrl+C to stop)\n`);
  if (flags.open) await openBrowser(server.url);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
}

/** Registers the `graph` command. */
export function define(program: Command, context: CliContext): void {
  program
    .command('graph')
    .description('view a model graph (ONNX, Paddle __model__/.pdmodel) in the browser, collapsed by scope')
    .argument('<model>', 'model file (.onnx, __model__, .pdmodel) or a folder holding one')
    .argument('[other]', 'a second model: show both side by side with their differences')
    .option('--port <n>', 'port to serve on (the next free one if busy)', '8040')
    .option('--host <addr>', 'address to bind', '127.0.0.1')
    .option('--html <file>', 'write one self-contained HTML file instead of serving')
    .option('--with-weights', 'keep every weight value in the page, not only a summary')
    .option('--open', 'open the page in the default browser')
    .option(
      '--source <dir>',
      "folder holding the Python/TypeScript files named by the ops' call stacks (repeatable)",
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .action((model: string, other: string | undefined, flags: GraphFlags) =>
      run(model, other, flags, context),
    );
}
