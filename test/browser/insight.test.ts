/**
 * The viewer-insight features in a real Chromium (issue 7): the source pane linked to nodes
 * and functions, repeated-block stages and folds on real PSPNet exports (ResNet50 and 101),
 * auto-group of a flat residual network, and the comparison of 2-class and 19-class exports.
 * Set PDSEG_SCREENSHOT_DIR to keep the screenshots (README's): the PSPNet exports are then the
 * tutorial's full-width network at 512×512 (DEPTH_MULTIPLIER 1), else the small fixture (same structure).
 */
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareForView } from '../../src/viewer/compare.js';
import { loadModelForView } from '../../src/viewer/load.js';
import type { ViewGraph } from '../../src/viewer/model.js';
import { viewerStandaloneHtml } from '../../src/viewer/page.js';
import { prepareForView } from '../../src/viewer/prepare.js';
import { makePspnetFixture } from '../fixtures/pspnet.js';
import { ROOT, runCli, SHARED, tempDir } from '../helpers.js';
import { GraphBuilder, residualNetwork } from '../viewer/analysis/fixtures.js';
import { launchChromium } from './chromium.js';

type Browser = Awaited<ReturnType<typeof launchChromium>>;

/** The page's hooks as these tests use them. */
interface PdsegWindow {
  __pdseg: {
    autoGroup(): Promise<void>;
    viewer: {
      graph: ViewGraph;
      selected?: string;
      highlighted: number[];
      hier: {
        groups: Array<{
          id: number;
          kind: string;
          name: string;
          parent: number;
          path: string[];
          opCount: number;
        }>;
        nodeGroup: Int32Array;
      };
      groupByPath(path: string): number | undefined;
      centerKey(key: string): void;
      reveal(node: number): Promise<void>;
      revealGroup(group: number): Promise<void>;
      expand(group: number): Promise<void>;
      select(key: string | undefined): void;
    };
  };
}

let browser: Browser;
let dir: string;
let cleanup: () => Promise<void>;
let psp50: { path: string; graph: ViewGraph; modelPath: string };
let classes19: string;
const errors: string[] = [];
const shots = process.env.PDSEG_SCREENSHOT_DIR;

async function ready(p: Page): Promise<void> {
  await p.waitForFunction(() => ['ready', 'error'].includes(document.body.dataset.state ?? ''), null, {
    timeout: 30_000,
  });
}

/** Loads a model as `pdseg graph` does (sources embedded, analysis run) and writes its page. */
async function pageFor(
  modelPath: string,
  name: string,
): Promise<{ path: string; graph: ViewGraph; modelPath: string }> {
  const graph = prepareForView((await loadModelForView(modelPath)).graph);
  const path = join(dir, `${name}.html`);
  await writeFile(path, await viewerStandaloneHtml({ graph, fileName: 'model.onnx' }));
  return { path, graph, modelPath };
}

async function open(path: string): Promise<Page> {
  const page = await browser.context.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`file://${path}`);
  await ready(page);
  expect(await page.evaluate(() => document.body.dataset.state)).toBe('ready');
  return page;
}

const hooks = (p: Page) => p.evaluateHandle(() => (window as unknown as PdsegWindow).__pdseg);

beforeAll(async () => {
  execFileSync(process.execPath, [join(ROOT, 'scripts/build-web.mjs')]);
  ({ dir, cleanup } = await tempDir());
  const size = shots ? { depthMultiplier: 1, cropSize: [512, 512] as [number, number] } : {};
  const fx = await makePspnetFixture({ dir: join(dir, 'c2'), ...size });
  psp50 = await pageFor(fx.modelPath, 'psp50');
  classes19 = (await makePspnetFixture({ dir: join(dir, 'c19'), numClasses: 19, ...size })).modelPath;
  browser = await launchChromium();
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await cleanup?.();
});

describe('source pane', () => {
  it('highlights the builder line and enclosing function of a clicked conv', async () => {
    const page = await open(psp50.path);
    expect(await page.isVisible('#source')).toBe(true);
    const id = psp50.graph.nodes.findIndex((n) => n.name === 'resnet/res2a/branch2a/conv2d');
    const frame = psp50.graph.nodes[id]!.source![0]!;
    await (await hooks(page)).evaluate((h, n) => h.viewer.reveal(n), id);
    await page.click(`[data-key="n${id}"]`);
    const line = await page.$eval('#source .line.hl', (e) => ({
      n: Number((e as HTMLElement).dataset.line),
      text: e.querySelector('.lt')?.textContent ?? '',
    }));
    expect(line.n).toBe(frame.line);
    // The line's text is the file's own line at that number.
    const text = (await readFile(join(ROOT, frame.file), 'utf8')).split('\n')[frame.line - 1]!;
    expect(line.text).toBe(text);
    expect(await page.$eval('#source .files', (e) => (e as HTMLSelectElement).value)).toBe(frame.file);
    // The enclosing function is marked, its first line being the definition of frame.func.
    const fnLines = await page.$$eval('#source .line.fn .lt', (els) => els.map((e) => e.textContent ?? ''));
    expect(fnLines.length).toBeGreaterThan(3);
    expect(fnLines[0]).toContain(frame.func!);
    if (shots) await page.screenshot({ path: join(shots, 'graph-source.png') });
    await page.close();
  });

  it('clicking pspModule in the function tree highlights the 4 pyramid branches and the concat', async () => {
    const page = await open(psp50.path);
    await page.click('#source .tab-functions');
    await page.click('#source [data-fn="pspModule"]');
    const marked = await page.$$eval('#viewport .box.src-hl-group, #viewport .box.src-hl', (els) =>
      els.map((e) => e.querySelector('.title')?.textContent ?? ''),
    );
    expect(marked).toEqual(expect.arrayContaining(['psp1', 'psp2', 'psp3', 'psp6', 'Concat']));
    // Nothing of the backbone is highlighted.
    expect(marked).not.toContain('resnet');
    const expected = psp50.graph.nodes.flatMap((n, i) =>
      n.source?.some((f) => f.func === 'pspModule') ? [i] : [],
    );
    const highlighted = await (await hooks(page)).evaluate((h) => h.viewer.highlighted);
    expect(highlighted).toEqual(expected);
    expect(await page.textContent('#source .src-foot')).toBe(`pspModule built ${expected.length} ops`);
    if (shots) await page.screenshot({ path: join(shots, 'graph-function.png') });
    // Beside it, the scope tree: picking resnet selects it in the graph and marks the functions
    // that built its ops.
    const resnet = await (await hooks(page)).evaluate((h) => h.viewer.groupByPath('resnet'));
    await page.click(`#source .scope-name[data-group="${resnet}"]`);
    await page.waitForFunction(
      (g) => (window as unknown as PdsegWindow).__pdseg.viewer.selected === `g${g}`,
      resnet,
    );
    const built = await page.$$eval('#source .fn-name.built', (els) => els.map((e) => e.textContent));
    const expectedFns = [
      ...new Set(
        psp50.graph.nodes.flatMap((n) =>
          n.scope[0] === 'resnet' ? (n.source ?? []).map((f) => f.func!) : [],
        ),
      ),
    ];
    expect([...built].sort()).toEqual(expectedFns.sort());
    expect(built).toContain('bottleneckBlock');
    expect(built).not.toContain('pspModule');
    await page.close();
  });

  it('shows a real Paddle 1.6 __model__’s op_callstack line from a --source folder', async () => {
    // The stacks were recorded on another machine (/Users/…/finetune_mobilenet/…py): the file is
    // found by its trailing path under the source root. Its text here is generated.
    const src = join(dir, 'paddle-src');
    await mkdir(join(src, 'finetune_mobilenet'), { recursive: true });
    const lines = Array.from({ length: 400 }, (_, i) => `# line ${i + 1}`);
    await writeFile(join(src, 'finetune_mobilenet/mobilenet_v2_multy_new.py'), lines.join('\n'));
    const modelPath = join(SHARED, 'testdata/paddle/v1-combined-paddlejs-gesture_rec/__model__');
    const graph = prepareForView((await loadModelForView(modelPath, { sourceRoots: [src] })).graph);
    const path = join(dir, 'paddle.html');
    await writeFile(path, await viewerStandaloneHtml({ graph, fileName: '__model__' }));
    const id = graph.nodes.findIndex((n) => n.opType === 'conv2d');
    const own = graph.nodes[id]!.source!.find((f) => f.file.endsWith('mobilenet_v2_multy_new.py'))!;
    const page = await open(path);
    await (await hooks(page)).evaluate((h, n) => h.viewer.reveal(n), id);
    await page.click(`[data-key="n${id}"]`);
    const hl = await page.$eval('#source .line.hl', (e) => [
      Number((e as HTMLElement).dataset.line),
      e.querySelector('.lt')?.textContent,
    ]);
    expect(hl).toEqual([own.line, `# line ${own.line}`]);
    expect(await page.$eval('#source .files', (e) => (e as HTMLSelectElement).value)).toBe(own.file);
    // The function tree leaves Paddle's own frames (site-packages) out.
    await page.click('#source .tab-functions');
    const fns = await page.$$eval('#source .fn-name', (els) => els.map((e) => e.textContent));
    expect(fns).toContain(own.func);
    expect(fns).not.toContain('append_op');
    await page.close();
  });
});

/** Stage rows of a group's sidebar: [block count, label]. */
async function stagesOf(page: Page, path: string): Promise<Array<[number, string]>> {
  const h = await hooks(page);
  await h.evaluate((x, p) => x.viewer.select(`g${x.viewer.groupByPath(p)}`), path);
  return page.$$eval('#details .stages .stage', (els) =>
    els.map((e) => [
      Number((e as HTMLElement).dataset.count),
      e.querySelector('.stage-label')?.textContent ?? '',
    ]),
  ) as Promise<Array<[number, string]>>;
}

describe('repeated blocks', () => {
  it('reads PSPNet-ResNet50 stages 3/4/6/3 and folds each identical run into one "× N" box', async () => {
    const page = await open(psp50.path);
    expect(await stagesOf(page, 'resnet')).toEqual([
      [3, 'bottleneck (projection) + bottleneck (identity) × 2'],
      [4, 'bottleneck (projection) + bottleneck (identity) × 3'],
      [6, 'bottleneck (projection) + bottleneck (identity) × 5'],
      [3, 'bottleneck (projection) + bottleneck (identity) × 2'],
    ]);
    const h = await hooks(page);
    await h.evaluate((x) => x.viewer.expand(x.viewer.groupByPath('resnet')!));
    const folds = await page.$$eval('#viewport .box.group.fold', (els) =>
      els.map((e) => [e.querySelector('.title')?.textContent, e.querySelector('.subtitle')?.textContent]),
    );
    expect(folds.map((f) => f[0])).toEqual([
      'bottleneck (identity) × 2',
      'bottleneck (identity) × 3',
      'bottleneck (identity) × 5',
      'bottleneck (identity) × 2',
    ]);
    expect(folds[0]![1]).toMatch(/^res2b–res2c · \d+ ops$/);
    // The leaders stay visible beside their folds.
    const groups = await page.$$eval('#viewport .box.group:not(.fold) .title', (els) =>
      els.map((e) => e.textContent),
    );
    expect(groups).toEqual(expect.arrayContaining(['res2a', 'res3a', 'res4a', 'res5a']));
    expect(groups).not.toContain('res2b');
    if (shots) {
      // The source pane off: the whole width for the graph.
      await page.click('#btn-source');
      await page.screenshot({ path: join(shots, 'graph-stages.png') });
    }
    // A click unfolds the run in place.
    const key = await page.$eval('#viewport .box.group.fold', (e) => e.getAttribute('data-key')!);
    await page.click(`[data-key="${key}"]`);
    await page.waitForSelector(`.frame[data-key="${key}"]`);
    const inside = await page.$$eval('#viewport .box.group:not(.fold) .title', (els) =>
      els.map((e) => e.textContent),
    );
    expect(inside).toEqual(expect.arrayContaining(['res2b', 'res2c']));
    expect(await page.textContent('#details')).toContain('Identical blocks folded');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('lists the pyramid branches psp1 and psp2 as variants of one family, with the pool sizes that differ', async () => {
    const page = await open(psp50.path);
    await (await hooks(page)).evaluate((x) => x.viewer.select(`g${x.viewer.groupByPath('psp2')}`));
    const family = await page.$$eval('#details .family', (els) =>
      els.map((e) => ({
        title: e.querySelector('h3')?.textContent ?? '',
        variants: [...e.querySelectorAll('.variant')].map((v) => v.textContent),
        rows: [...e.querySelectorAll('tr')].map((r) =>
          [...r.querySelectorAll('td')].map((d) => d.textContent),
        ),
      })),
    );
    expect(family).toHaveLength(1);
    expect(family[0]!.title).toMatch(/^Family: AveragePool → .* \(2 variants\)$/);
    expect(family[0]!.variants).toEqual(['v1psp1', 'v2psp2']);
    // The values are the models' own pool attributes.
    const pool = (scope: string, a: string) =>
      JSON.stringify(psp50.graph.nodes.find((n) => n.name === `${scope}/pool2d`)!.attributes[a]);
    expect(family[0]!.rows).toEqual([
      ['AveragePool.kernel_shape', pool('psp1', 'kernel_shape'), pool('psp2', 'kernel_shape')],
      ['AveragePool.strides', pool('psp1', 'strides'), pool('psp2', 'strides')],
    ]);
    if (shots) await page.screenshot({ path: join(shots, 'graph-family.png') });
    await page.close();
  });

  it('reads 23 blocks in ResNet101 res4', async () => {
    const fx = await makePspnetFixture({ dir: join(dir, 'r101'), layers: 101 });
    const page = await open((await pageFor(fx.modelPath, 'psp101')).path);
    const stages = await stagesOf(page, 'resnet');
    expect(stages.map((s) => s[0])).toEqual([3, 4, 23, 3]);
    expect(stages[2]![1]).toBe('bottleneck (projection) + bottleneck (identity) × 22');
    await page.close();
  }, 120_000);
});

describe('auto-group', () => {
  it('recovers the blocks of a generated flat residual network', async () => {
    const { graph, blocks } = residualNetwork({ blocks: 10, projection: (k) => k === 0 || k === 6 });
    const path = join(dir, 'flat.html');
    await writeFile(
      path,
      await viewerStandaloneHtml({ graph: prepareForView(graph), fileName: 'flat.onnx' }),
    );
    const page = await open(path);
    expect(await page.isVisible('#btn-autogroup')).toBe(true);
    await page.click('#btn-autogroup');
    await page.waitForFunction(() => document.querySelector('#btn-autogroup')?.classList.contains('on'));
    await ready(page);
    const found = await (await hooks(page)).evaluate((h, ids) => {
      const v = h.viewer;
      return ids.map((block) => {
        const g = v.hier.nodeGroup[block[0]!]!;
        const members = v.graph.nodes.flatMap((_, i) => (v.hier.nodeGroup[i] === g ? [i] : []));
        return { members, name: v.hier.groups[g]!.name };
      });
    }, blocks);
    found.forEach((f, k) => {
      expect(f.members, `block ${k}`).toEqual(blocks[k]);
      expect(f.name).toMatch(/^block\d+$/);
    });
    // Each stage (a projection block, then identical ones) folds its identical run.
    const folds = await (await hooks(page)).evaluate((h) =>
      h.viewer.hier.groups.filter((g) => g.kind === 'fold').map((g) => g.name),
    );
    expect(folds.map((f) => f.replace(/^.* × /, '× '))).toEqual(['× 5', '× 3']);
    // And off again.
    await page.click('#btn-autogroup');
    await page.waitForFunction(() => !document.querySelector('#btn-autogroup')?.classList.contains('on'));
    await ready(page);
    await page.close();
  });
});

/** What the side-by-side tests read from the page's hooks. */
interface CompareWindow {
  __pdseg: {
    idle(): Promise<void>;
    setCompareMode(mode: 'side' | 'single'): Promise<void>;
    viewer: PaneHooks;
    viewerA?: PaneHooks;
  };
}
interface PaneHooks {
  graph: ViewGraph;
  selected?: string;
  expanded: Set<number>;
  groupByPath(path: string): number | undefined;
  boxCenter(key: string): { x: number; y: number } | undefined;
  canvas: {
    t: { k: number; tx: number; ty: number };
    size(): { width: number; height: number };
    zoomAt(factor: number, cx: number, cy: number): void;
  };
}

/** Index of the only Conv in a graph's `logit` scope. */
function logitConv(g: ViewGraph): number {
  const ids = g.nodes.flatMap((n, i) => (n.opType === 'Conv' && n.scope[0] === 'logit' ? [i] : []));
  expect(ids).toHaveLength(1);
  return ids[0]!;
}

/** Checks the comparison panel and marks of a page showing the 19-class export against the 2-class one. */
async function expectLogitDiff(page: Page, split: boolean): Promise<void> {
  const rows = await page.$$eval('#details .diff-list.parameters .diff-row', (els) =>
    els.map((e) => e.textContent),
  );
  expect(rows).toEqual([
    'logit/weights: float32[2×512×1×1] → float32[19×512×1×1]',
    'logit/biases: float32[2] → float32[19]',
  ]);
  const chips = await page.$$eval('#details .chip', (els) => els.map((e) => e.textContent));
  expect(chips).toEqual(['0 added', '0 removed', '0 attribute changes', '2 parameter changes']);
  expect(await page.$eval('#stage', (e) => e.classList.contains('split'))).toBe(split);
  // The changed conv's group is marked in B's graph, and in A's when side by side.
  const marked = (pane: string) =>
    page.$$eval(`${pane} .diff-inside .title`, (els) => els.map((e) => e.textContent));
  expect(await marked('#canvas')).toEqual(['logit']);
  expect(await marked('#canvas-a')).toEqual(split ? ['logit'] : []);
}

/** The page `pdseg graph A B --html` writes for the 2-class (A) and 19-class (B) exports. */
async function comparePage(name: string): Promise<string> {
  const path = join(dir, `${name}.html`);
  const r = await runCli(['graph', psp50.modelPath, classes19, '--html', path]);
  expect(r.stdout).toContain('compare: 0 added, 0 removed, 0 attribute and 2 parameter changes');
  return path;
}

const paneState = (page: Page) =>
  page.evaluate(() => {
    const h = (window as unknown as CompareWindow).__pdseg;
    const pane = (v: PaneHooks) => {
      const key = v.selected;
      const c = key ? v.boxCenter(key) : undefined;
      const t = v.canvas.t;
      const size = v.canvas.size();
      const logit = v.boxCenter(`g${v.groupByPath('logit')}`);
      return {
        // Screen position of the logit group's box in its pane.
        logitAt: logit ? [logit.x * t.k + t.tx, logit.y * t.k + t.ty] : undefined,
        selected: key,
        expanded: [...v.expanded].sort((x, y) => x - y),
        // Where the selected box sits, relative to the pane's centre (px).
        offset: c ? [c.x * t.k + t.tx - size.width / 2, c.y * t.k + t.ty - size.height / 2] : undefined,
        logit: v.groupByPath('logit'),
      };
    };
    return { a: pane(h.viewerA!), b: pane(h.viewer) };
  });

describe('compare', () => {
  it('pdseg graph A B: A and B side by side, the differences exactly the logit weights and bias', async () => {
    const page = await open(await comparePage('compare'));
    await expectLogitDiff(page, true);
    const boxes = (pane: string) => page.$$eval(`${pane} [data-key]`, (els) => els.length);
    expect(await boxes('#canvas-a')).toBeGreaterThan(3);
    expect(await boxes('#canvas')).toBe(await boxes('#canvas-a'));
    // Both exports are <folder>/model.onnx: the labels name the folders that differ.
    const tail = (p: string) => p.split('/').slice(-3).join('/');
    expect(await page.$eval('#label-a', (e) => e.textContent)).toBe(`A · ${tail(psp50.modelPath)}`);
    expect(await page.$eval('#label-b', (e) => e.textContent)).toBe(`B · ${tail(classes19)}`);

    // Expanding logit in A expands it in B.
    let st = await paneState(page);
    expect(st.a.expanded).toEqual([]);
    await page.click(`#canvas-a [data-key="g${st.a.logit}"]`);
    await (await hooks(page)).evaluate((h) => (h as unknown as CompareWindow['__pdseg']).idle());
    st = await paneState(page);
    expect(st.a.expanded).toEqual([st.a.logit]);
    expect(st.b.expanded).toEqual([st.b.logit]);
    // The panes stay lined up: logit is at the same place in both.
    for (const k of [0, 1]) expect(Math.abs(st.a.logitAt![k]! - st.b.logitAt![k]!)).toBeLessThan(2);
    if (shots) {
      // Zoomed in on logit in B; A follows.
      await page.evaluate(() => {
        const v = (window as unknown as CompareWindow).__pdseg.viewer;
        const c = v.boxCenter(`g${v.groupByPath('logit')}`)!;
        const t = v.canvas.t;
        v.canvas.zoomAt(0.95 / t.k, c.x * t.k + t.tx, c.y * t.k + t.ty);
      });
      await page.waitForTimeout(300);
      await page.keyboard.press('Escape'); // the sidebar shows the list of differences
      await page.click('#btn-source');
      await page.screenshot({ path: join(shots, 'graph-compare.png') });
      await page.click('#btn-source');
    }

    // Clicking the logit conv in A selects and centres it in B.
    const graphs = await page.evaluate(() => {
      const h = (window as unknown as CompareWindow).__pdseg;
      return { a: h.viewerA!.graph, b: h.viewer.graph };
    });
    const convA = logitConv(graphs.a);
    const convB = logitConv(graphs.b);
    await page.click(`#canvas-a [data-key="n${convA}"]`);
    await page.waitForFunction(
      (k) => (window as unknown as CompareWindow).__pdseg.viewer.selected === k,
      `n${convB}`,
    );
    await (await hooks(page)).evaluate((h) => (h as unknown as CompareWindow['__pdseg']).idle());
    st = await paneState(page);
    expect(st.a.selected).toBe(`n${convA}`);
    expect(st.b.selected).toBe(`n${convB}`);
    for (const d of st.b.offset!) expect(Math.abs(d)).toBeLessThan(2);
    expect(await page.$eval('#canvas .box.selected', (e) => e.getAttribute('data-key'))).toBe(`n${convB}`);
    expect(
      await page.$$eval('#canvas-a .diff-changed', (els) => els.map((e) => e.getAttribute('data-key'))),
    ).toEqual([`n${convA}`]);
    expect(
      await page.$$eval('#canvas .diff-changed', (els) => els.map((e) => e.getAttribute('data-key'))),
    ).toEqual([`n${convB}`]);

    // Panning B moves A by the same amount (sync on), and not once sync is off.
    const before = await page.evaluate(() => (window as unknown as CompareWindow).__pdseg.viewerA!.canvas.t);
    const box = (await page.$('#canvas'))!;
    const r = (await box.boundingBox())!;
    await page.mouse.move(r.x + 40, r.y + r.height - 40);
    await page.mouse.down();
    await page.mouse.move(r.x + 140, r.y + r.height - 10, { steps: 4 });
    await page.mouse.up();
    const after = await page.evaluate(() => (window as unknown as CompareWindow).__pdseg.viewerA!.canvas.t);
    expect(after.tx - before.tx).toBeCloseTo(100, 0);
    expect(after.ty - before.ty).toBeCloseTo(30, 0);
    await page.click('#btn-sync');
    await page.mouse.move(r.x + 40, r.y + r.height - 40);
    await page.mouse.down();
    await page.mouse.move(r.x + 140, r.y + r.height - 40, { steps: 4 });
    await page.mouse.up();
    expect(await page.evaluate(() => (window as unknown as CompareWindow).__pdseg.viewerA!.canvas.t)).toEqual(
      after,
    );

    // A difference in the sidebar selects its node in both panes.
    // (First clear the selection: a click on A's empty background clears both panes.)
    await page.click('#btn-fit');
    const ra = (await (await page.$('#canvas-a'))!.boundingBox())!;
    await page.mouse.click(ra.x + 4, ra.y + ra.height - 4);
    st = await paneState(page);
    expect([st.a.selected, st.b.selected]).toEqual([undefined, undefined]);
    await page.click('#details .diff-list.parameters .diff-row a');
    await page.waitForFunction(
      (k) => (window as unknown as CompareWindow).__pdseg.viewerA?.selected === k,
      `n${convA}`,
    );
    expect((await paneState(page)).b.selected).toBe(`n${convB}`);

    // The single view stays available: B alone with the marks.
    await page.click('#btn-compare-mode');
    await ready(page);
    await expectLogitDiff(page, false);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('shows an added node green in B and a removed one red in A', async () => {
    const net = (middle: 'Dropout' | 'Sigmoid') => {
      const b = new GraphBuilder('net');
      let x = b.input('x', [1, 3, 8, 8]);
      x = b.node('Conv', [x, b.init('w1', [4, 3, 1, 1])], 1, { kernel_shape: [1, 1] }, 'body/conv');
      x = b.node('Relu', [x], 1, {}, 'body/relu');
      x = b.node(middle, [x], 1, {}, middle === 'Dropout' ? 'body/drop' : 'body/gate');
      x = b.node('Conv', [x, b.init('w2', [2, 4, 1, 1])], 1, { kernel_shape: [1, 1] }, 'head/conv');
      b.output(x);
      return b.graph;
    };
    const a = prepareForView(net('Dropout'));
    const b = prepareForView(net('Sigmoid'));
    const graph = { ...b, compare: { ...compareForView(a, b, 'a.onnx'), beforeGraph: a } };
    const path = join(dir, 'added-removed.html');
    await writeFile(path, await viewerStandaloneHtml({ graph, fileName: 'b.onnx' }));
    const page = await open(path);
    const rows = (cls: string) =>
      page.$$eval(`#details .diff-list.${cls} .diff-row`, (els) => els.map((e) => e.textContent));
    expect(await rows('added')).toEqual(['Sigmoid  body/gate']);
    expect(await rows('removed')).toEqual(['Dropout  body/drop']);
    // Expanding body in B expands it in A.
    const groups = await page.evaluate(() => {
      const h = (window as unknown as CompareWindow).__pdseg;
      return { a: h.viewerA!.groupByPath('body')!, b: h.viewer.groupByPath('body')! };
    });
    await page.click(`#canvas [data-key="g${groups.b}"]`);
    await (await hooks(page)).evaluate((h) => (h as unknown as CompareWindow['__pdseg']).idle());
    const st = await paneState(page);
    expect(st.b.expanded).toEqual([groups.b]);
    expect(st.a.expanded).toEqual([groups.a]);
    const marks = (pane: string, cls: string) =>
      page.$$eval(`${pane} .${cls}`, (els) => els.map((e) => e.getAttribute('data-key')));
    expect(await marks('#canvas', 'diff-added')).toEqual(['n2']);
    expect(await marks('#canvas-a', 'diff-removed')).toEqual(['n2']);
    expect(await marks('#canvas', 'diff-removed')).toEqual([]);
    expect(await marks('#canvas-a', 'diff-added')).toEqual([]);
    // The removed node's entry (the list is back after Esc) shows it in A; B has nothing to select.
    await page.keyboard.press('Escape');
    await page.click('#details .diff-list.removed .diff-row a');
    await page.waitForFunction(() => (window as unknown as CompareWindow).__pdseg.viewerA?.selected === 'n2');
    expect(await page.$eval('#canvas-a .box.selected', (e) => e.getAttribute('data-key'))).toBe('n2');
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('a file dropped on an open model can be compared with it, side by side', async () => {
    // Small exports (the transfer into the page goes through base64).
    const small = shots
      ? [
          (await makePspnetFixture({ dir: join(dir, 's2') })).modelPath,
          (await makePspnetFixture({ dir: join(dir, 's19'), numClasses: 19 })).modelPath,
        ]
      : [undefined, classes19];
    const page = await open(small[0] ? (await pageFor(small[0], 'small')).path : psp50.path);
    const bytes = await readFile(small[1]!);
    await page.evaluate(
      ({ b64 }) => {
        const data = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        const dt = new DataTransfer();
        dt.items.add(new File([data], 'model19.onnx'));
        document.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
      },
      { b64: bytes.toString('base64') },
    );
    await page.click('#choice-compare');
    await page.waitForFunction(() => document.title.startsWith('model19.onnx'));
    await ready(page);
    await expectLogitDiff(page, true);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);
});
