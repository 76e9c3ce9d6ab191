/**
 * `pdseg service serve` and `pdseg service upload` (issue 8): VisualDL-Service-style sharing
 * of a model view by link, on a server the user runs. Parses flags, calls `src/service`,
 * prints the request log and the link.
 */
import type { Command } from 'commander';
import { PdsegError } from '../errors.js';
import type { CliContext } from './commands.js';

interface ServeFlags {
  port: string;
  host: string;
  data: string;
  maxSize: string;
  maxStorage?: string;
  rate: string;
  token?: string;
  publicUrl?: string;
}

interface UploadFlags {
  model: string;
  server?: string;
  token?: string;
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new PdsegError('USAGE', `--port '${text}' is not a port number (0-65535)`);
  }
  return port;
}

async function serve(flags: ServeFlags, context: CliContext): Promise<void> {
  const { parseRate, parseSize, formatRate } = await import('../service/limits.js');
  const { startService } = await import('../service/server.js');
  const { formatRequestLog } = await import('../service/request-log.js');
  const port = parsePort(flags.port);
  const rate = parseRate(flags.rate);
  const maxSize = parseSize(flags.maxSize, '--max-size');
  const maxStorage = flags.maxStorage ? parseSize(flags.maxStorage, '--max-storage') : undefined;
  const token = flags.token ?? process.env.PDSEG_SERVICE_TOKEN;
  const service = await startService({
    host: flags.host,
    port,
    dataDir: flags.data,
    maxSize,
    ...(maxStorage !== undefined ? { maxStorage } : {}),
    rate,
    ...(token ? { token } : {}),
    ...(flags.publicUrl ? { publicUrl: flags.publicUrl } : {}),
    onRequest: (entry) => context.out(`${formatRequestLog(entry)}\n`),
  });
  const r = service.report;
  context.out(
    `pdseg service listening on ${service.url}\n` +
      `  data ${flags.data}: ${r.models} models, ${(r.bytes / 1e6).toFixed(1)} MB` +
      (r.removedTemporary + r.removedIncomplete
        ? ` (cleaned ${r.removedTemporary} temporary and ${r.removedIncomplete} incomplete files)`
        : '') +
      `\n  limits: max size ${(maxSize / 1e6).toFixed(1)} MB, rate ${formatRate(rate)} per address` +
      `${maxStorage ? `, storage ${(maxStorage / 1e6).toFixed(1)} MB` : ''}, uploads ${token ? 'need the token' : 'open'}\n` +
      `  share a model: pdseg service upload --model freeze_model/model.onnx --server ${service.url}\n`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await service.close();
  context.out('pdseg service stopped\n');
}

async function upload(flags: UploadFlags, context: CliContext): Promise<void> {
  const { resolveClientTarget } = await import('../service/client-config.js');
  const { uploadModel } = await import('../service/client.js');
  const target = resolveClientTarget({
    ...(flags.server ? { server: flags.server } : {}),
    ...(flags.token ? { token: flags.token } : {}),
  });
  const answer = await uploadModel(flags.model, {
    server: target.server,
    ...(target.token ? { token: target.token } : {}),
    sink: context.renderer.sink,
  });
  context.renderer.stop();
  context.out(`View your model at: ${answer.url}\n`);
}

/** Adds `service serve` and `service upload`. */
export function define(program: Command, context: CliContext): void {
  const service = program
    .command('service')
    .description('share a model view by link: run a server for your team, upload models to it');
  service
    .command('serve')
    .description('run the model-sharing server (binds 127.0.0.1 unless --host says otherwise)')
    .option('--port <port>', 'port to listen on', '8041')
    .option('--host <host>', 'interface to bind; off loopback, --token is required', '127.0.0.1')
    .option('--data <dir>', 'data folder (models, metadata)', './pdseg-service')
    .option('--max-size <size>', 'largest model accepted, e.g. 100MB, 1GiB', '100MB')
    .option('--max-storage <size>', 'total size kept; the oldest models are evicted beyond it')
    .option('--rate <n/duration>', 'uploads per client address, e.g. 1/5min, 10/1h; 0 disables', '1/5min')
    .option('--token <secret>', 'Bearer token required for uploads (or PDSEG_SERVICE_TOKEN)')
    .option('--public-url <url>', 'origin used in returned links, e.g. behind a reverse proxy')
    .action((flags: ServeFlags) => serve(flags, context));
  service
    .command('upload')
    .description('upload a model and print its share link, like `visualdl service upload`')
    .requiredOption('--model <file>', 'the model file (model.onnx, __model__, model.pdmodel)')
    .option('--server <url>', 'server URL (else PDSEG_SERVICE_URL, else ~/.pdseg/config.json server_url)')
    .option('--token <secret>', 'upload token (else PDSEG_SERVICE_TOKEN, else config.json token)')
    .action((flags: UploadFlags) => upload(flags, context));
}
