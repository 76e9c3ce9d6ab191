/** Upload → link → the page in Chromium shows the graph, under the service's CSP. */
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedId, testService, tinyOnnx } from './fixtures.js';

const CHROMIUM = '/usr/bin/chromium';

describe('the share link in a browser', () => {
  let browser: Browser;
  let stop: () => Promise<void>;
  let base: string;

  beforeAll(async () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} is needed (Debian package chromium)`).toBe(true);
    const t = await testService();
    stop = t.stop;
    base = t.service.url;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });

  afterAll(async () => {
    await browser?.close();
    await stop?.();
  });

  it('shows the uploaded graph with no CSP violation and the model name as text', async () => {
    const bytes = tinyOnnx('shared', 3);
    const name = '<img src=x onerror="window.__pwned=1">.onnx';
    const res = await fetch(`${base}/api/models?name=${encodeURIComponent(name)}`, {
      method: 'POST',
      body: bytes,
    });
    expect(res.status).toBe(201);
    const { url } = (await res.json()) as { url: string };
    expect(url).toBe(`${base}/app?id=${expectedId(bytes)}`);

    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(url);
    await page.waitForFunction(() => ['ready', 'error'].includes(document.body.dataset.state ?? ''), null, {
      timeout: 30_000,
    });
    expect(await page.evaluate(() => document.body.dataset.state)).toBe('ready');
    const text = await page.evaluate(() => document.querySelector('#viewport')?.textContent ?? '');
    // The fixture's graph: input x → shared/relu0..2 → output y.
    expect(text).toContain('input: x');
    expect(text).toContain('output: y');
    expect(text).toContain('shared');
    expect(await page.evaluate(() => document.title)).toContain(name);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(problems).toEqual([]);
    await page.close();
  });
});
