/**
 * The `pdseg graph` server against hostile requests (issue: hostile input): only its four
 * kinds of route answer — traversal in any spelling (`/../`, `%2e%2e`, `%2f`, doubled
 * slashes, backslashes) reaches nothing; every response, errors included, carries the CSP,
 * `X-Content-Type-Options` and `Referrer-Policy`; and a model whose names carry markup comes
 * back as JSON data, never inside the HTML.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeOnnxView } from '../../src/viewer/adapters/onnx.js';
import { startViewerServer, type ViewerServer } from '../../src/viewer/server.js';
import { bytesOf, xssModel } from './models.js';

let server: ViewerServer;
beforeAll(async () => {
  server = await startViewerServer({
    graph: decodeOnnxView(bytesOf(xssModel())),
    fileName: '</script><img src=x onerror=alert(1)>.onnx',
    port: 0,
  });
});
afterAll(async () => {
  await server.close();
});

/** One raw HTTP/1.0 request (no chunking), the path sent byte for byte (fetch would normalise it). */
function raw(path: string, method = 'GET'): Promise<{ status: number; headers: string; body: string }> {
  const { port } = server;
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(`${method} ${path} HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
    });
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (d) => {
      text += d;
    });
    socket.on('error', reject);
    socket.on('close', () => {
      const [head = '', ...rest] = text.split('\r\n\r\n');
      resolve({
        status: Number(head.split(' ')[1]),
        headers: head.toLowerCase(),
        body: rest.join('\r\n\r\n'),
      });
    });
  });
}

describe('pdseg graph server', () => {
  it.each([
    '/../package.json',
    '/viewer/../../package.json',
    '/%2e%2e/%2e%2e/etc/passwd',
    '/viewer/%2e%2e%2fserver.js',
    '/viewer/..%2f..%2fpackage.json',
    '//etc/passwd',
    '/viewer/..\\..\\package.json',
    '/model.json/../../package.json',
  ])('%s reaches nothing (404)', async (path) => {
    const r = await raw(path);
    expect(r.status).toBe(404);
    expect(r.body).toBe('not found');
  });

  it.each([
    ['/', 'GET', 200],
    ['/model.json', 'GET', 200],
    ['/viewer/viewer.js', 'GET', 200],
    ['/nothing', 'GET', 404],
    ['/', 'POST', 405],
    ['/', 'HEAD', 200],
  ] as const)('%s %s → %d with the security headers', async (path, method, status) => {
    const r = await raw(path, method);
    expect(r.status).toBe(status);
    expect(r.headers).toContain("content-security-policy: default-src 'self'; script-src 'self'");
    expect(r.headers).toContain('x-content-type-options: nosniff');
    expect(r.headers).toContain('referrer-policy: no-referrer');
  });

  it('keeps markup in names as data: the page has no model strings, the JSON escapes them', async () => {
    const page = await raw('/');
    expect(page.body).not.toMatch(/<img[^>]*onerror/);
    expect(page.body).not.toContain('__xss');
    // The title is escaped text.
    expect(page.body).toContain('&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;.onnx');
    const model = await raw('/model.json');
    expect(model.headers).toContain('content-type: application/json');
    const graph = JSON.parse(model.body) as { nodes: Array<{ name: string }> };
    expect(graph.nodes.some((n) => n.name.includes('<img src=x onerror='))).toBe(true);
  });
});
