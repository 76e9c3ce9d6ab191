/**
 * `pdseg graph <model>` (issue 6): opens an ONNX or Paddle model in the browser viewer,
 * served locally, or writes one self-contained HTML file with `--html`.
 */
import type { Command } from 'commander';
import { PdsegError } from '../errors.js';
import type { CliContext } from './commands.js';

interface GraphFlags {
  port: string;
  host: string;
  html?: string;
  withWeights?: boolean;
  open?: boolean;
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

async function run(model: string, flags: GraphFlags, context: CliContext): Promise<void> {
  const port = parsePort(flags.port);
  const { loadModelForView } = await import('../viewer/load.js');
  const loaded = await loadModelForView(model, { withWeights: flags.withWeights === true });
  const { graph } = loaded;
  context.out(
    `${loaded.path}: ${loaded.format}${graph.formatVersion ? ` (${graph.formatVersion})` : ''}, ${graph.nodes.length} ops\n`,
  );
  if (loaded.weights) {
    context.out(
      loaded.weights.attached > 0
        ? `  weights: ${loaded.weights.attached} tensors from ${loaded.weights.path}\n`
        : `  weights: not shown (${loaded.weights.reason})\n`,
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
    .option('--port <n>', 'port to serve on (the next free one if busy)', '8040')
    .option('--host <addr>', 'address to bind', '127.0.0.1')
    .option('--html <file>', 'write one self-contained HTML file instead of serving')
    .option('--with-weights', 'keep every weight value in the page, not only a summary')
    .option('--open', 'open the page in the default browser')
    .action((model: string, flags: GraphFlags) => run(model, flags, context));
}
