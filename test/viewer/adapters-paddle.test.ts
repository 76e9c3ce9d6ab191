import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPdsegError, PdsegError } from '../../src/errors.js';
import { writeCheckpoint } from '../../src/paddle/checkpoint-writer.js';
import { encodeProgramDesc, persistableParamNames } from '../../src/paddle/program-desc.js';
import { openModel } from '../../src/viewer/adapters/index.js';
import { decodePaddleView, sourceOfCallstack } from '../../src/viewer/adapters/paddle.js';
import { buildHierarchy, outline } from '../../src/viewer/hierarchy.js';
import { attachSources, loadModelForView } from '../../src/viewer/load.js';
import { ROOT, SHARED, tempDir } from '../helpers.js';
import { pspnetLikeProgram } from '../paddle/pspnet-like-program.js';
import { bytesOf, chainModel } from './models.js';

const V1 = join(SHARED, 'testdata/paddle/v1-combined-paddlejs-gesture_rec/__model__');
const V2 = join(SHARED, 'testdata/paddle/v2-paddlelite-simple_model/model.pdmodel');

describe('Paddle adapter', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
  });
  afterAll(() => cleanup());

  it('turns op_namescope into scope, op_callstack into source frames, feed/fetch into inputs/outputs', () => {
    const g = decodePaddleView(encodeProgramDesc(pspnetLikeProgram()));
    expect(g.format).toBe('paddle');
    expect(g.inputs).toEqual(['image']);
    expect(g.outputs.length).toBe(1);
    expect(g.nodes.some((n) => n.opType === 'feed' || n.opType === 'fetch')).toBe(false);
    const conv = g.nodes.find((n) => n.opType === 'conv2d')!;
    expect(conv.scope).toEqual(['resnet', 'conv1_1']);
    // The fixture numbers ops' lines 107, 114, …: feed is the first op, the stem conv the second.
    expect(conv.source![0]).toEqual({
      file: 'pdseg/models/modeling/pspnet.py',
      line: 114,
      func: 'psp_module',
    });
    expect(conv.attributes.strides).toEqual([1, 1]);
    expect(conv.attributes.op_namescope).toBeUndefined();
    expect(g.tensors.conv1_1_weights!.initializer).toEqual({
      dims: [8, 3, 3, 3],
      dtype: 'float32',
      byteLength: 8 * 27 * 4,
    });
    expect(g.tensors.image!.shape).toEqual([null, 3, 64, 64]);
    const h = buildHierarchy(g);
    expect(outline(h, g)[0]).toBe('input:image');
    expect(outline(h, g)).toContain('[resnet]');
  });

  it('parses Python traceback lines', () => {
    expect(
      sourceOfCallstack([
        '  File "a/b.py", line 12, in f\n    x = 1\n',
        '  File "c.py", line 3, in <module>\n',
      ]),
    ).toEqual([
      { file: 'a/b.py', line: 12, func: 'f' },
      { file: 'c.py', line: 3, func: '<module>' },
    ]);
  });

  it('opens the real Paddle 1.6 __model__ and 2.2 model.pdmodel with their weights', async () => {
    const v1 = await loadModelForView(V1);
    expect(v1.format).toBe('paddle');
    expect(v1.graph.formatVersion).toBe('Paddle 1.6.3');
    expect(v1.graph.nodes.length).toBe(162);
    expect(v1.weights!.attached).toBe(269);
    const w = Object.values(v1.graph.tensors).find((t) => t.initializer?.min !== undefined)!;
    expect(w.initializer!.head!.length).toBeGreaterThan(0);
    const v2 = await loadModelForView(V2);
    expect(v2.graph.formatVersion).toBe('Paddle 2.2.2');
    expect(v2.graph.nodes.map((n) => n.opType)).toEqual(['conv2d', 'batch_norm', 'relu']);
    expect(v2.weights!.attached).toBe(5);
  });

  it('attaches weights from a combined __params__ beside a __model__ fixture (folder given)', async () => {
    const program = pspnetLikeProgram();
    const folder = join(dir, 'freeze_model');
    const names = persistableParamNames(program);
    const tensors = names.map((name) => {
      const t = Object.values(decodePaddleView(encodeProgramDesc(program)).tensors).find(
        (x) => x.name === name,
      )!;
      const n = t.initializer!.dims.reduce((a, d) => a * d, 1);
      return {
        name,
        dims: t.initializer!.dims,
        dtype: 'float32' as const,
        data: Float32Array.from({ length: n }, (_, i) => i - 1),
      };
    });
    await writeCheckpoint(folder, tensors, 'combined');
    await writeFile(join(folder, '__model__'), encodeProgramDesc(program));
    await import('node:fs/promises').then((fs) =>
      fs.rename(join(folder, '__params__'), join(folder, '__params__')).catch(() => undefined),
    );
    const loaded = await loadModelForView(folder);
    expect(loaded.fileName).toBe('__model__');
    expect(loaded.weights!.attached).toBe(names.length);
    expect(loaded.graph.tensors.conv1_1_weights!.initializer).toMatchObject({
      min: -1,
      max: 8 * 27 - 2,
      head: [-1, 0, 1, 2, 3, 4, 5, 6],
    });
  });
});

describe('adapter registry', () => {
  it('rejects a file that is neither format with every reason, as MODEL_FORMAT', () => {
    const junk = new TextEncoder().encode('GIF89a this is not a model at all');
    try {
      openModel(junk, 'picture.gif');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(PdsegError);
      expect(isPdsegError(e, 'MODEL_FORMAT')).toBe(true);
      expect((e as Error).message).toContain("'picture.gif'");
      expect((e as Error).message).toMatch(/onnx: .*; paddle: /);
    }
  });

  it('says a truncated file looks truncated, and an empty file is empty', () => {
    const bytes = bytesOf(chainModel(50, (i) => `a/b${i}`));
    expect(() => openModel(bytes.subarray(0, bytes.length - 100), 'model.onnx')).toThrow(/looks truncated/);
    expect(() => openModel(new Uint8Array(), 'model.onnx')).toThrow(/is empty/);
  });

  it('detects formats by content when the name says nothing', async () => {
    expect(openModel(bytesOf(chainModel(2, (i) => `n${i}`)), 'blob').format).toBe('onnx');
    expect(openModel(new Uint8Array(await readFile(V2)), 'blob').format).toBe('paddle');
  });
});

describe('source text for the source pane', () => {
  it('embeds files named by frames that lie inside the roots, and nothing outside them', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      await writeFile(join(dir, 'pspnet.py'), 'def psp_module():\n    pass\n');
      const g = decodePaddleView(encodeProgramDesc(pspnetLikeProgram()));
      g.nodes[0]!.source = [
        { file: '/somewhere/else/pspnet.py', line: 1 },
        { file: '/etc/passwd', line: 1 },
        { file: '../../../../etc/hostname.py', line: 1 },
      ];
      const n = await attachSources(g, [dir]);
      expect(n).toBe(1);
      expect(Object.keys(g.sources!)).toEqual(['/somewhere/else/pspnet.py']);
      expect(g.sources!['/somewhere/else/pspnet.py']).toContain('def psp_module');
    } finally {
      await cleanup();
    }
  });

  it('embeds pdseg’s own model code for its exports', async () => {
    const g = decodePaddleView(encodeProgramDesc(pspnetLikeProgram()));
    g.nodes[0]!.source = [{ file: 'src/viewer/load.ts', line: 1, func: 'x' }];
    expect(await attachSources(g, [ROOT])).toBe(1);
    expect(g.sources!['src/viewer/load.ts']).toContain('export async function attachSources');
  });
});
