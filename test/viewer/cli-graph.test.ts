import { execFileSync, spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeCheckpoint } from '../../src/paddle/checkpoint-writer.js';
import { encodeProgramDesc, persistableParamNames } from '../../src/paddle/program-desc.js';
import { BIN, ROOT, runCli, tempDir } from '../helpers.js';
import { pspnetLikeProgram } from '../paddle/pspnet-like-program.js';
import { bytesOf, chainModel, model, node, rawFloat, vi } from './models.js';

describe('pdseg graph (built CLI)', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let modelPath: string;
  beforeAll(async () => {
    // The page bundles (tsc builds the CLI itself; see test/helpers.ts).
    execFileSync(process.execPath, [join(ROOT, 'scripts/build-web.mjs')]);
    ({ dir, cleanup } = await tempDir());
    modelPath = join(dir, 'model.onnx');
    await writeFile(modelPath, bytesOf(chainModel(12, (i) => `stage${i % 3}/op${i}`)));
  });
  afterAll(() => cleanup());

  it('writes a self-contained HTML file with the graph embedded', async () => {
    const out = join(dir, 'view.html');
    const r = await runCli(['graph', modelPath, '--html', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('onnx (IR 8), 12 ops');
    const html = await readFile(out, 'utf8');
    expect(html).toContain('id="pdseg-model"');
    expect(html).toContain('id="pdseg-worker"');
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(html).toContain('stage2/op11');
  });

  it('exits 2 with MODEL_FORMAT for a corrupt file', async () => {
    const bad = join(dir, 'bad.onnx');
    await writeFile(bad, 'not a model');
    const r = await runCli(['graph', bad, '--html', join(dir, 'x.html')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('[MODEL_FORMAT]');
    expect(r.stderr).toContain("'bad.onnx'");
  });

  it('serves the page, assets and model, moving to the next port when busy', async () => {
    // Occupy a port, then ask pdseg for it.
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const busy = (blocker.address() as { port: number }).port;
    const child = spawn(process.execPath, [BIN, 'graph', modelPath, '--port', String(busy)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let out = '';
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (d) => {
          out += d;
          const m = /at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
          if (m) resolve(m[1]!);
        });
        child.on('exit', () => reject(new Error(`exited: ${out}`)));
      });
      expect(out).toContain(`port ${busy} is busy; using ${busy + 1}`);
      expect(url).toBe(`http://127.0.0.1:${busy + 1}/`);
      const page = await (await fetch(url)).text();
      expect(page).toContain('data-model-url="/model.json"');
      const js = await fetch(new URL('viewer/viewer.js', url));
      expect(js.headers.get('content-type')).toContain('javascript');
      const model = (await (await fetch(new URL('model.json', url))).json()) as { nodes: unknown[] };
      expect(model.nodes.length).toBe(12);
      expect((await fetch(new URL('../etc/passwd', url))).status).toBe(404);
    } finally {
      child.kill('SIGTERM');
      blocker.close();
    }
  });
  it('opens a freeze_model/__model__ ProgramDesc fixture with its __params__ (spec §9.9)', async () => {
    const program = pspnetLikeProgram();
    const folder = join(dir, 'freeze_model');
    const vars = new Map(program.blocks[0]!.vars.map((v) => [v.name, v]));
    const tensors = persistableParamNames(program).map((name) => {
      const dims = vars.get(name)!.type.lodTensor!.tensor.dims;
      return {
        name,
        dims,
        dtype: 'float32' as const,
        data: new Float32Array(dims.reduce((a, d) => a * d, 1)).fill(0.5),
      };
    });
    await writeCheckpoint(folder, tensors, 'combined');
    await writeFile(join(folder, '__model__'), encodeProgramDesc(program));
    const out = join(dir, 'paddle.html');
    const r = await runCli(['graph', join(folder, '__model__'), '--html', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('__model__: paddle');
    expect(r.stdout).toContain(`weights: ${tensors.length} tensors from ${join(folder, '__params__')}`);
    const html = await readFile(out, 'utf8');
    expect(html).toContain('conv1_1_weights');
    expect(html).toContain('"scope":["resnet","conv1_1"]');
  });
  it('keeps only the first weight values unless --with-weights', async () => {
    const values = Array.from({ length: 40 }, (_, i) => i + 0.5);
    const m = model({
      node: [node('Mul', 'scale/mul', ['x', 'w'], ['y'])],
      initializer: [rawFloat('w', [40], values)],
      input: [vi('x', [40])],
      output: [vi('y', [40])],
    });
    const path = join(dir, 'weights.onnx');
    await writeFile(path, bytesOf(m));
    const head = async (extra: string[]) => {
      const out = join(dir, `w${extra.length}.html`);
      expect((await runCli(['graph', path, '--html', out, ...extra])).code).toBe(0);
      const html = await readFile(out, 'utf8');
      const json = /id="pdseg-model">([\s\S]*?)<\/script>/.exec(html)![1]!;
      return (JSON.parse(json) as { tensors: Record<string, { initializer: { head: number[] } }> }).tensors.w!
        .initializer.head;
    };
    expect(await head([])).toEqual(values.slice(0, 8));
    expect(await head(['--with-weights'])).toEqual(values);
  });
});

describe('pdseg graph: compare and --source (issue 7)', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    execFileSync(process.execPath, [join(ROOT, 'scripts/build-web.mjs')]);
    ({ dir, cleanup } = await tempDir());
  });
  afterAll(() => cleanup());

  const embedded = async (html: string) =>
    JSON.parse(/id="pdseg-model">([\s\S]*?)<\/script>/.exec(await readFile(html, 'utf8'))![1]!) as {
      nodes: unknown[];
      sources?: Record<string, string>;
      compare?: {
        before: string;
        added: Array<{ name: string }>;
        removed: unknown[];
        pairs?: Array<[number, number]>;
        beforeGraph?: { nodes: Array<{ name: string }> };
      };
    };

  it('pdseg graph A B embeds both models for the side-by-side page, with what differs', async () => {
    const a = join(dir, 'a.onnx');
    const b = join(dir, 'b.onnx');
    await writeFile(a, bytesOf(chainModel(12, (i) => `stage${i % 3}/op${i}`)));
    await writeFile(b, bytesOf(chainModel(13, (i) => `stage${i % 3}/op${i}`)));
    const out = join(dir, 'cmp.html');
    const r = await runCli(['graph', a, b, '--html', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('compare: 1 added, 0 removed, 0 attribute and 0 parameter changes');
    const g = await embedded(out);
    expect(g.nodes).toHaveLength(13);
    expect(g.compare!.before).toBe('a.onnx');
    expect(g.compare!.added.map((n) => n.name)).toEqual(['stage0/op12']);
    // A is embedded for the left pane; its 12 ops pair with B's first 12.
    expect(g.compare!.beforeGraph!.nodes.map((n) => n.name)).toEqual(
      Array.from({ length: 12 }, (_, i) => `stage${i % 3}/op${i}`),
    );
    expect(g.compare!.pairs).toEqual(Array.from({ length: 12 }, (_, i) => [i, i]));
  });

  it('--source DIR embeds the Python files named by a __model__’s op_callstack', async () => {
    const folder = join(dir, 'freeze_model');
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, '__model__'), encodeProgramDesc(pspnetLikeProgram()));
    const src = join(dir, 'PaddleSeg');
    await mkdir(join(src, 'pdseg/models/modeling'), { recursive: true });
    const text = Array.from({ length: 200 }, (_, i) => `# line ${i + 1}`).join('\n');
    await writeFile(join(src, 'pdseg/models/modeling/pspnet.py'), text);
    const without = join(dir, 'p0.html');
    expect((await runCli(['graph', folder, '--html', without])).code).toBe(0);
    expect((await embedded(without)).sources).toBeUndefined();
    const withSrc = join(dir, 'p1.html');
    const r = await runCli(['graph', folder, '--source', src, '--html', withSrc]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('source: 1 file for the source pane');
    expect((await embedded(withSrc)).sources).toEqual({ 'pdseg/models/modeling/pspnet.py': text });
  });
});
