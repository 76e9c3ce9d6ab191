/** Small models and an in-process server for the service tests. */

import { createHash } from 'node:crypto';
import httpModule from 'node:http';
import { encodeModel } from '../../src/onnx/encode.js';
import type { RequestLogEntry } from '../../src/service/request-log.js';
import { type RunningService, type ServiceOptions, startService } from '../../src/service/server.js';
import { floatInfo, modelOf } from '../fixtures/onnx-model.js';
import { tempDir } from '../helpers.js';

/** An ONNX model with a chain of `nodes` Relu nodes; `tag` makes its bytes distinct. */
export function tinyOnnx(tag: string, nodes = 3): Uint8Array {
  const model = modelOf(
    {
      name: `g_${tag}`,
      node: Array.from({ length: nodes }, (_, i) => ({
        input: [i === 0 ? 'x' : `t${i - 1}`],
        output: [i === nodes - 1 ? 'y' : `t${i}`],
        name: `${tag}/relu${i}`,
        opType: 'Relu',
        domain: '',
        attribute: [],
        docString: '',
      })),
      initializer: [],
      input: [floatInfo('x', [1, 4])],
      output: [floatInfo('y', [1, 4])],
      valueInfo: [],
      docString: '',
    },
    tag,
  );
  return encodeModel(model);
}

/** The expected id of `bytes`, computed independently of the service code. */
export function expectedId(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 32);
}

/** A service on a random loopback port with a fresh data folder, and its request log. */
export async function testService(options: ServiceOptions = {}): Promise<{
  service: RunningService;
  dataDir: string;
  log: RequestLogEntry[];
  stop(): Promise<void>;
}> {
  const { dir, cleanup } = await tempDir('pdseg-service-');
  const log: RequestLogEntry[] = [];
  const service = await startService({
    port: 0,
    rate: undefined,
    dataDir: dir,
    onRequest: (e) => log.push(e),
    ...options,
  });
  return {
    service,
    dataDir: options.dataDir ?? dir,
    log,
    async stop() {
      await service.close();
      await cleanup();
    },
  };
}

/** A reply read whole. */
export interface TestReply {
  status: number;
  headers: import('node:http').IncomingHttpHeaders;
  body: Buffer;
  // biome-ignore lint/suspicious/noExplicitAny: the tests assert on the parsed shape
  json(): any;
}

/**
 * One HTTP request with `node:http`, which sends the path exactly as given (no `..`
 * normalisation). `body` may be bytes or an async iterable streamed chunk by chunk.
 */
export function httpRequest(
  base: string,
  path: string,
  options: {
    method?: string;
    headers?: Record<string, string>;
    body?: Uint8Array | AsyncIterable<Uint8Array>;
  } = {},
): Promise<TestReply> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const origin = new URL(base);
    const req = httpModule.request(
      {
        host: origin.hostname,
        port: origin.port,
        path,
        method: options.method ?? 'GET',
        headers: options.headers ?? {},
      },
      (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            json: () => JSON.parse(body.toString('utf8')),
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', (e) => {
      if (!answered) reject(e);
    });
    const body = options.body;
    if (body === undefined) req.end();
    else if (body instanceof Uint8Array) req.end(body);
    else {
      (async () => {
        for await (const chunk of body) {
          if (answered || req.destroyed) break;
          if (!req.write(chunk)) await new Promise((r) => req.once('drain', r));
        }
        if (!answered) req.end();
      })().catch(() => req.destroy());
    }
  });
}
