/**
 * The viewer in a real Chromium (issue 6, "Tests"): the PSPNet fixture export opens collapsed
 * by scope, groups expand in place, the sidebar shows a conv's weights, search reveals nodes,
 * SVG export works, a second file can be dropped, XSS names stay text, corrupt files get a message.
 */
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeModel } from '../../src/onnx/decode.js';
import { decodeOnnxView } from '../../src/viewer/adapters/onnx.js';
import { loadModelForView } from '../../src/viewer/load.js';
import { viewerAssets, viewerPageHtml, viewerStandaloneHtml } from '../../src/viewer/page.js';
import { startViewerServer, type ViewerServer } from '../../src/viewer/server.js';
import { makePspnetFixture } from '../fixtures/pspnet.js';
import { ROOT, SHARED, tempDir } from '../helpers.js';
import { bytesOf, chainModel, xssModel } from '../viewer/models.js';
import { launchChromium } from './chromium.js';

type Browser = Awaited<ReturnType<typeof launchChromium>>;

/** The page's test hooks (`window.__pdseg`), as far as these tests use them. */
interface PdsegWindow {
  __xss?: unknown;
  __pdseg: {
    viewer: {
      graph: { nodes: Array<{ name: string; opType: string }> };
      selected?: string;
      groupByPath(path: string): number | undefined;
      centerKey(key: string): void;
      reveal(node: number): Promise<void>;
      select(key: string | undefined): void;
      expandAll(): Promise<void>;
      collapseAll(): Promise<void>;
    };
  };
}

let browser: Browser;
let dir: string;
let cleanup: () => Promise<void>;
let pspBytes: Uint8Array;
let pspHtml: string;
let page: Page;
const errors: string[] = [];

async function ready(p: Page): Promise<void> {
  await p.waitForFunction(() => ['ready', 'error'].includes(document.body.dataset.state ?? ''), null, {
    timeout: 20_000,
  });
}

/** Titles of the drawn boxes at nesting depth 0, top to bottom. */
function titles(p: Page, selector: string): Promise<string[]> {
  return p.$$eval(selector, (els) =>
    els.map((e) => e.querySelector('.title, .frame-title')?.textContent ?? ''),
  );
}

async function dropFile(p: Page, name: string, bytes: Uint8Array): Promise<void> {
  // Base64 keeps the transfer to the page small (an array of numbers would be huge).
  await p.evaluate(
    ({ name, b64 }) => {
      const data = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([data], name));
      document.dispatchEvent(
        new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }),
      );
      document.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    },
    { name, b64: Buffer.from(bytes).toString('base64') },
  );
  // With a model open, the page asks whether to open the file or compare it (issue 7).
  if (await p.isVisible('#choice')) await p.click('#choice-open');
  await p.waitForFunction(() => document.body.dataset.state !== 'loading');
  await ready(p);
}

beforeAll(async () => {
  execFileSync(process.execPath, [join(ROOT, 'scripts/build-web.mjs')]);
  ({ dir, cleanup } = await tempDir());
  const fx = await makePspnetFixture({ dir });
  pspBytes = new Uint8Array(await readFile(fx.modelPath));
  pspHtml = join(dir, 'pspnet.html');
  await writeFile(
    pspHtml,
    await viewerStandaloneHtml({ graph: decodeOnnxView(pspBytes), fileName: 'model.onnx' }),
  );
  browser = await launchChromium();
  page = await browser.context.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`file://${pspHtml}`);
  await ready(page);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await cleanup?.();
});

describe('viewer in Chromium', () => {
  it('opens the PSPNet export collapsed by scope', async () => {
    expect(await page.evaluate(() => document.body.dataset.state)).toBe('ready');
    const top = await titles(page, '#viewport .nodes > .box');
    expect(top[0]).toBe('image');
    for (const g of ['resnet', 'psp1', 'psp2', 'psp3', 'psp6', 'psp_end', 'dropout', 'logit', 'softmax'])
      expect(top).toContain(g);
    // Nothing inside resnet is drawn yet.
    expect(await page.$$eval('#viewport .box.op', (e) => e.length)).toBeLessThan(3);
    expect(errors).toEqual([]);
  });

  it('expands resnet and a bottleneck block in place, then shows a conv’s weights in the sidebar', async () => {
    const resnet = await page.evaluate(() =>
      (window as unknown as PdsegWindow).__pdseg.viewer.groupByPath('resnet'),
    );
    await page.click(`[data-key="g${resnet}"]`);
    await page.waitForSelector(`.frame[data-key="g${resnet}"]`);
    const res2a = await page.evaluate(() =>
      (window as unknown as PdsegWindow).__pdseg.viewer.groupByPath('resnet/res2a'),
    );
    await page.evaluate((k) => (window as unknown as PdsegWindow).__pdseg.viewer.centerKey(k), `g${res2a}`);
    await page.click(`[data-key="g${res2a}"]`);
    await page.waitForSelector(`.frame[data-key="g${res2a}"]`);
    const inner = await titles(page, `#viewport .nodes > .box.group`);
    expect(inner).toEqual(expect.arrayContaining(['branch2a', 'branch2b', 'branch2c', 'branch1']));
    expect(await page.textContent('#breadcrumb')).toContain('res2a');
    // Sidebar of resnet/res2a/branch2a/conv2d: its weight shape comes from the ONNX file itself.
    const init = decodeModel(pspBytes).graph.initializer.find((t) => t.name === 'res2a_branch2a_weights')!;
    await page.evaluate(() =>
      (window as unknown as PdsegWindow).__pdseg.viewer.reveal(
        (window as unknown as PdsegWindow).__pdseg.viewer.graph.nodes.findIndex(
          (n: { name: string; opType: string }) => n.name === 'resnet/res2a/branch2a/conv2d',
        ),
      ),
    );
    const conv = await page.evaluate(
      () => (window as unknown as PdsegWindow).__pdseg.viewer.selected as string,
    );
    await page.click(`[data-key="${conv}"]`);
    const side = (await page.textContent('#details'))!;
    expect(side).toContain('Conv');
    expect(side).toContain('resnet/res2a/branch2a/conv2d');
    expect(side).toContain('res2a_branch2a_weights');
    expect(side).toContain(`float32 [${init.dims.join(', ')}]`);
    expect(side).toMatch(/min -?\d/);
    expect(side).toContain('N-d convolution');
    await page.screenshot({ path: join(process.env.PDSEG_SCREENSHOT_DIR ?? dir, 'graph-expanded.png') });
  });

  it('searches and reveals a node inside a collapsed group', async () => {
    await page.evaluate(async () => {
      await (window as unknown as PdsegWindow).__pdseg.viewer.collapseAll();
      (window as unknown as PdsegWindow).__pdseg.viewer.select(undefined);
    });
    await page.fill('#search', 'res4c/branch2b/conv');
    await page.waitForSelector('#results li.hit');
    expect(await page.textContent('#results')).toContain('resnet/res4c/branch2b/conv2d');
    await page.press('#search', 'Enter');
    await page.waitForFunction(() =>
      (window as unknown as PdsegWindow).__pdseg.viewer.selected?.startsWith('n'),
    );
    const name = await page.evaluate(() => {
      const v = (window as unknown as PdsegWindow).__pdseg.viewer;
      return v.graph.nodes[Number(v.selected.slice(1))].name;
    });
    expect(name).toBe('resnet/res4c/branch2b/conv2d');
    expect(
      await page.$(
        `[data-key="${await page.evaluate(() => (window as unknown as PdsegWindow).__pdseg.viewer.selected)}"]`,
      ),
    ).not.toBeNull();
  });

  it('exports the whole view as SVG (a download and valid XML)', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#btn-svg')]);
    expect(download.suggestedFilename()).toBe('model.svg');
    const text = await readFile((await download.path())!, 'utf8');
    const check = await page.evaluate((t) => {
      const doc = new DOMParser().parseFromString(t, 'image/svg+xml');
      return {
        error: doc.querySelector('parsererror') !== null,
        boxes: doc.querySelectorAll('[data-key]').length,
      };
    }, text);
    expect(check.error).toBe(false);
    expect(check.boxes).toBeGreaterThan(20);
    expect(text).toContain('res4c');
    const [png] = await Promise.all([page.waitForEvent('download'), page.click('#btn-png')]);
    const pngBytes = await readFile((await png.path())!);
    expect([...pngBytes.subarray(1, 4)].map((c) => String.fromCharCode(c)).join('')).toBe('PNG');
  });

  it('opens a second model dropped on the page', async () => {
    await dropFile(page, 'second.onnx', bytesOf(chainModel(20, (i) => `alpha/beta${i % 4}/op${i}`)));
    expect(await page.evaluate(() => document.body.dataset.state)).toBe('ready');
    expect(await page.textContent('#breadcrumb')).toContain('second.onnx');
    expect(await titles(page, '#viewport .nodes > .box.group')).toEqual(['alpha']);
  });

  it('shows model strings as text: <script> and <img onerror> names run nothing', async () => {
    await dropFile(page, '<img src=x onerror="window.__xss=9">.onnx', bytesOf(xssModel()));
    await page.evaluate(() => (window as unknown as PdsegWindow).__pdseg.viewer.expandAll());
    await page.waitForSelector('#viewport .box.op');
    await page.click('#viewport .box.op');
    await page.fill('#search', 'script');
    await page.waitForSelector('#results li.hit');
    await page.waitForTimeout(200);
    expect(await page.evaluate(() => (window as unknown as PdsegWindow).__xss)).toBeUndefined();
    expect(await page.$$eval('#app script, #app img, #viewport foreignObject', (e) => e.length)).toBe(0);
    expect(await page.textContent('#details')).toContain('<img src=x onerror="window.__xss=1">');
    // The standalone file of the same model.
    const html = join(dir, 'xss.html');
    await writeFile(
      html,
      await viewerStandaloneHtml({
        graph: decodeOnnxView(bytesOf(xssModel())),
        fileName: '</script><script>window.__xss=5</script>',
      }),
    );
    const p2 = await browser.context.newPage();
    await p2.goto(`file://${html}`);
    await ready(p2);
    expect(await p2.evaluate(() => document.body.dataset.state)).toBe('ready');
    expect(await p2.evaluate(() => (window as unknown as PdsegWindow).__xss)).toBeUndefined();
    await p2.close();
  });

  it('shows a clear message for a corrupt file and recovers with the next one', async () => {
    await dropFile(page, 'broken.onnx', pspBytes.subarray(0, 5000));
    expect(await page.evaluate(() => document.body.dataset.state)).toBe('error');
    expect(await page.isVisible('#message')).toBe(true);
    const msg = (await page.textContent('#message'))!;
    expect(msg).toContain('Cannot open broken.onnx');
    expect(msg).toContain('looks truncated');
    await dropFile(page, 'small.onnx', bytesOf(chainModel(5, (i) => `s/op${i}`)));
    expect(await page.evaluate(() => document.body.dataset.state)).toBe('ready');
    expect(await page.isVisible('#message')).toBe(false);
    expect(errors).toEqual([]);
  });

  it('works as a served page under a strict script-src CSP', async () => {
    let server: ViewerServer | undefined;
    try {
      server = await startViewerServer({ graph: decodeOnnxView(pspBytes), fileName: 'model.onnx', port: 0 });
      const p = await browser.context.newPage();
      const violations: string[] = [];
      p.on('console', (m) => {
        if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
      });
      await p.goto(server.url);
      await ready(p);
      expect(await p.evaluate(() => document.body.dataset.state)).toBe('ready');
      expect(await titles(p, '#viewport .nodes > .box')).toContain('resnet');
      expect(violations).toEqual([]);
      await p.close();
    } finally {
      await server?.close();
    }
  });
  it('decodes raw model bytes fetched by a page with no inline script (the service’s use)', async () => {
    const paddle = new Uint8Array(
      await readFile(join(SHARED, 'testdata/paddle/v1-combined-paddlejs-gesture_rec/__model__')),
    );
    const assets = await viewerAssets();
    const html = viewerPageHtml({
      modelUrl: '/api/models/0123abcd',
      assetBase: '/assets',
      title: 'shared model',
    });
    const csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:";
    const server = createServer((req, res) => {
      const url = req.url ?? '/';
      const asset = assets.get(url.replace('/assets/', ''));
      if (url === '/app')
        res.writeHead(200, { 'content-type': 'text/html', 'content-security-policy': csp }).end(html);
      else if (url.startsWith('/assets/') && asset)
        res.writeHead(200, { 'content-type': asset.contentType }).end(asset.body);
      else if (url === '/api/models/0123abcd')
        res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(paddle);
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const p = await browser.context.newPage();
      const violations: string[] = [];
      p.on('console', (m) => {
        if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
      });
      await p.goto(`http://127.0.0.1:${(server.address() as { port: number }).port}/app`);
      await ready(p);
      expect(await p.evaluate(() => document.body.dataset.state)).toBe('ready');
      expect(await p.textContent('#details')).toContain('Paddle 1.6.3');
      expect(await p.$$eval('#viewport .box.op', (e) => e.length)).toBeGreaterThan(5);
      expect(violations).toEqual([]);
      await p.close();
    } finally {
      server.close();
    }
  });

  it('shows the real Paddle 1.6 __model__ with the weights read beside it', async () => {
    const loaded = await loadModelForView(
      join(SHARED, 'testdata/paddle/v1-combined-paddlejs-gesture_rec/__model__'),
    );
    const html = join(dir, 'paddle.html');
    await writeFile(html, await viewerStandaloneHtml({ graph: loaded.graph, fileName: loaded.fileName }));
    const p = await browser.context.newPage();
    await p.goto(`file://${html}`);
    await ready(p);
    const first = await p.evaluate(() => {
      const v = (window as unknown as PdsegWindow).__pdseg.viewer;
      return v.graph.nodes.findIndex((n: { name: string; opType: string }) => n.opType === 'conv2d');
    });
    await p.evaluate((id) => (window as unknown as PdsegWindow).__pdseg.viewer.reveal(id), first);
    await p.click(`[data-key="n${first}"]`);
    const side = (await p.textContent('#details'))!;
    expect(side).toContain('conv2d');
    expect(side).toContain('conv1_1_weights');
    const w = loaded.graph.tensors.conv1_1_weights!.initializer!;
    expect(side).toContain(`float32 [${w.dims.join(', ')}]`);
    expect(side).toMatch(/min -?\d/);
    expect(side).toContain('mobilenet_v2_multy_new.py:138');
    await p.close();
  });
});
