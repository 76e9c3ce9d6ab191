/**
 * `pdseg convert` on real Paddle files nobody here wrote (Paddle.js's gesture model, Paddle
 * 1.6.3; Paddle-Lite's simple model, Paddle 2.2.2), checked against the naive interpreter of
 * test/reference at 1e-4; the round trip export → `__model__` + `__params__` → convert,
 * which must equal the direct ONNX export within 1e-6 and open in the viewer with its scopes
 * and source links; and every kind of bad input: a clear error, exit 2, nothing under OUT.
 */
import { existsSync } from 'node:fs';
import { cp, mkdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { convertModel } from '../../src/convert/convert-model.js';
import { isPdsegError } from '../../src/errors.js';
import { exportModel } from '../../src/export/export-model.js';
import { openCombined } from '../../src/paddle/checkpoint-combined.js';
import { writeCheckpoint } from '../../src/paddle/checkpoint-writer.js';
import {
  compareBytewise,
  decodeProgramDesc,
  encodeProgramDesc,
  type ProgramDesc,
} from '../../src/paddle/program-desc.js';
import { fromProgramDesc } from '../../src/program/paddle-format.js';
import { type Program, parameters } from '../../src/program/program.js';
import { openModel } from '../../src/viewer/adapters/index.js';
import { makePspnetFixture } from '../fixtures/pspnet.js';
import { mulberry32 } from '../fixtures/seeded-weights.js';
import { runCli, SHARED, tempDir } from '../helpers.js';
import { expectClose } from '../program/run-program.js';
import { interpret } from '../reference/paddle-interpreter.js';

const GESTURE = join(SHARED, 'testdata', 'paddle', 'v1-combined-paddlejs-gesture_rec');
const SIMPLE = join(SHARED, 'testdata', 'paddle', 'v2-paddlelite-simple_model');

let tmp: { dir: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  tmp = await tempDir('pdseg-convert-');
});
afterAll(async () => {
  await tmp.cleanup();
});

async function programOf(file: string): Promise<Program> {
  return fromProgramDesc(decodeProgramDesc(new Uint8Array(await readFile(file)), file), file);
}

/** Every parameter of `program` read from its combined file, for the interpreter. */
async function paramsOf(program: Program, file: string) {
  const names = parameters(program)
    .map((v) => v.name)
    .sort(compareBytewise);
  const ck = await openCombined(file, [{ label: 'test', names }]);
  const out = new Map<string, { dims: number[]; data: Float32Array }>();
  for (const n of names) {
    const t = await ck.read(n);
    out.set(n, { dims: t.dims, data: t.data as Float32Array });
  }
  await ck.close();
  return out;
}

async function runModel(path: string, name: string, dims: number[], data: Float32Array) {
  const session = await ort.InferenceSession.create(path);
  const out = await session.run({ [name]: new ort.Tensor('float32', data, dims) });
  const t = out[session.outputNames[0]!]!;
  return { dims: [...t.dims], data: t.data as Float32Array };
}

describe('real Paddle files nobody here wrote', () => {
  test.each([
    [
      'Paddle.js gesture_rec (1.6.3, MobileNetV2 ×0.5 + two fc heads)',
      GESTURE,
      '__model__',
      'params',
      'img',
      [1, 3, 224, 224],
    ],
    [
      'Paddle-Lite simple_model (2.2.2, no padding_algorithm attributes)',
      SIMPLE,
      'model.pdmodel',
      'model.pdiparams',
      'image',
      [2, 3, 224, 224],
    ],
  ] as const)(
    '%s converts and matches the interpreter within 1e-4',
    async (_n, dir, modelFile, paramsFile, input, dims) => {
      const out = join(tmp.dir, `real-${modelFile}`);
      const result = await convertModel(dir, { output: out });
      expect(result.metadataFrom).toBe('defaults');
      const program = await programOf(join(dir, modelFile));
      const params = await paramsOf(program, join(dir, paramsFile));
      const rnd = mulberry32(5);
      const x = Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => rnd() * 2 - 1);
      const onnx = await runModel(result.modelPath, input, [...dims], x);
      const [ref] = interpret(program, { [input]: { dims: [...dims], data: Float64Array.from(x) } }, params);
      expect(onnx.dims).toEqual(ref!.dims);
      const worst = expectClose(onnx.data, ref!.data, 1e-4);
      console.log(
        `${modelFile}: max |onnx − interpreter| = ${worst.toExponential(2)} over ${ref!.data.length} values`,
      );
      // The outputs must not be degenerate, or the comparison proves little.
      const spread =
        ref!.data.reduce((m, v) => Math.max(m, v), -Infinity) -
        ref!.data.reduce((m, v) => Math.min(m, v), Infinity);
      expect(spread).toBeGreaterThan(1e-2);
    },
    60_000,
  );

  test('the same model as one file per variable converts to the same outputs', async () => {
    const program = await programOf(join(GESTURE, '__model__'));
    const names = parameters(program)
      .map((v) => v.name)
      .sort(compareBytewise);
    const ck = await openCombined(join(GESTURE, 'params'), [{ label: 'test', names }]);
    const tensors = [];
    for (const n of names) tensors.push(await ck.read(n));
    await ck.close();
    const dir = join(tmp.dir, 'per-file-gesture');
    await writeCheckpoint(dir, tensors, 'per-file');
    await cp(join(GESTURE, '__model__'), join(dir, '__model__'));
    const perFile = await convertModel(dir, { output: join(tmp.dir, 'per-file-out') });
    expect(perFile.paramsSource).toBe(dir);
    const combined = await convertModel(GESTURE, { output: join(tmp.dir, 'combined-out') });
    const x = Float32Array.from({ length: 3 * 224 * 224 }, (_, i) => Math.sin(i));
    const a = await runModel(perFile.modelPath, 'img', [1, 3, 224, 224], x);
    const b = await runModel(combined.modelPath, 'img', [1, 3, 224, 224], x);
    expect([...a.data]).toEqual([...b.data]);
  }, 60_000);

  test('older files lack attributes: they are defaulted as Paddle does', async () => {
    const program = await programOf(join(SIMPLE, 'model.pdmodel'));
    const conv = program.ops.find((o) => o.type === 'conv2d')!;
    expect(conv.attrs.get('padding_algorithm')).toEqual({ type: 'STRING', value: 'EXPLICIT' });
    expect(conv.attrs.get('data_format')).toEqual({ type: 'STRING', value: 'AnyLayout' });
  });
});

describe('round trip: export --format paddle → convert equals the direct ONNX export', () => {
  test.each([
    { layers: 50, crop: [64, 64] as [number, number], numClasses: 3 },
    { layers: 101, crop: [72, 56] as [number, number], numClasses: 2 },
  ])(
    'PSPNet-ResNet$layers, crop $crop',
    async (c) => {
      const dir = join(tmp.dir, `rt-${c.layers}`);
      const fx = await makePspnetFixture({
        dir,
        numClasses: c.numClasses,
        cropSize: c.crop,
        layers: c.layers,
        depthMultiplier: 0.0625,
        layout: 'combined',
        seed: 3,
      });
      const paddleDir = join(dir, 'paddle');
      const written = await exportModel(
        { ...fx.cfg, FREEZE: { ...fx.cfg.FREEZE, SAVE_DIR: paddleDir } },
        { cwd: dir, format: 'paddle' },
      );
      expect(written.modelPath).toBeUndefined();
      expect(existsSync(join(paddleDir, '__model__')) && existsSync(join(paddleDir, '__params__'))).toBe(
        true,
      );
      const deploy = await readFile(join(paddleDir, 'deploy.yaml'), 'utf8');
      expect(deploy).toContain('MODEL_FILENAME : "__model__"');
      expect(deploy).toContain('PARAMS_FILENAME : "__params__"');
      const converted = await convertModel(paddleDir, { output: join(dir, 'converted') });
      expect(converted.metadataFrom).toBe('deploy.yaml');
      const [w, h] = c.crop;
      const rnd = mulberry32(9);
      const x = Float32Array.from({ length: 2 * 3 * h * w }, () => rnd() * 2 - 1);
      const direct = await runModel(fx.modelPath, 'image', [2, 3, h, w], x);
      const roundTrip = await runModel(converted.modelPath, 'image', [2, 3, h, w], x);
      expect(roundTrip.dims).toEqual([2, c.numClasses, h, w]);
      expectClose(roundTrip.data, direct.data, 1e-6, 0);
      // The same metadata as export writes, from the deploy.yaml beside the program.
      const meta = (p: string) => readFile(p).then((b) => b.includes(Buffer.from('EVAL_CROP_SIZE')));
      expect(await meta(converted.modelPath)).toBe(true);
    },
    120_000,
  );

  test('FREEZE.MODEL_FILENAME / PARAMS_FILENAME: the names deploy.yaml gives are the ones convert reads', async () => {
    const dir = join(tmp.dir, 'named');
    const fx = await makePspnetFixture({ dir, numClasses: 2, layout: 'pdparams', runExport: false });
    const r = await runCli(
      [
        'export',
        '--cfg',
        fx.cfgPath,
        '--format',
        'paddle',
        'FREEZE.MODEL_FILENAME',
        'model',
        'FREEZE.PARAMS_FILENAME',
        'params',
      ],
      {
        cwd: dir,
      },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(fx.saveDir, 'model')) && existsSync(join(fx.saveDir, 'params'))).toBe(true);
    expect(existsSync(join(fx.saveDir, 'model.onnx'))).toBe(false);
    const converted = await convertModel(fx.saveDir, { output: join(dir, 'out') });
    expect(converted.programFile).toBe(join(fx.saveDir, 'model'));
    expect(converted.paramsSource).toBe(join(fx.saveDir, 'params'));
  }, 60_000);

  test('--format both writes all three; the __model__ opens in the viewer with scopes and source links', async () => {
    const dir = join(tmp.dir, 'both');
    const fx = await makePspnetFixture({ dir, numClasses: 2, layout: 'per-file', runExport: false });
    const r = await runCli(['export', '--cfg', fx.cfgPath, '--format', 'both'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    for (const f of ['model.onnx', '__model__', '__params__', 'deploy.yaml'])
      expect(existsSync(join(fx.saveDir, f))).toBe(true);
    const { format, graph } = openModel(
      new Uint8Array(await readFile(join(fx.saveDir, '__model__'))),
      '__model__',
    );
    expect(format).toMatch(/paddle/i);
    const conv = graph.nodes.find((n) => n.outputs.includes('res2a_branch2a.conv2d.output.1.tmp_0'))!;
    expect(conv.scope).toEqual(['resnet', 'res2a', 'branch2a']);
    expect(conv.source?.[0]?.file).toBe('src/models/libs/conv-bn-layer.ts');
    expect(conv.source?.[1]).toMatchObject({
      file: 'src/models/backbone/resnet.ts',
      func: 'bottleneckBlock',
    });
    const html = join(dir, 'graph.html');
    const g = await runCli(['graph', join(fx.saveDir, '__model__'), '--html', html], { cwd: dir });
    expect(g.code, g.stderr).toBe(0);
    expect((await readFile(html, 'utf8')).length).toBeGreaterThan(1000);
    const desc = decodeProgramDesc(new Uint8Array(await readFile(join(fx.saveDir, '__model__'))));
    expect(Number(desc.version)).toBe(1008000);
    const vars = desc.blocks[0]!.vars;
    expect(vars.find((v) => v.name === 'feed')!.type.type).toBe(9);
    expect(vars.find((v) => v.name === 'image')).toMatchObject({ needCheckFeed: true, persistable: false });
  }, 60_000);
});

describe('pdseg predict --model OUT runs a converted model', () => {
  test('the same label PNGs as the direct export', async () => {
    const dir = join(tmp.dir, 'predict');
    const fx = await makePspnetFixture({
      dir,
      numClasses: 3,
      layout: 'combined',
      seed: 11,
      runExport: false,
    });
    const both = await runCli(['export', '--cfg', fx.cfgPath, '--format', 'both'], { cwd: dir });
    expect(both.code, both.stderr).toBe(0);
    const conv = await runCli(['convert', fx.saveDir, '--output', join(dir, 'converted')], { cwd: dir });
    expect(conv.code, conv.stderr).toBe(0);
    const image = join(SHARED, 'testdata', 'images', 'chelsea.png');
    for (const [model, out] of [
      [fx.saveDir, 'direct'],
      [join(dir, 'converted'), 'converted'],
    ] as const) {
      // Both runs read the same config, with a resize that fits the 64×64 crop.
      const args = ['--cfg', fx.cfgPath, '--model', model, '--input', image, '--output', join(dir, out)];
      const r = await runCli(['predict', ...args, 'AUG.FIX_RESIZE_SIZE', '(64, 64)'], { cwd: dir });
      expect(r.code, r.stderr).toBe(0);
    }
    const direct = await readFile(join(dir, 'direct', 'chelsea.png'));
    const converted = await readFile(join(dir, 'converted', 'chelsea.png'));
    expect(converted.equals(direct)).toBe(true);
  }, 60_000);
});

describe('bad input: a clear error, exit 2, nothing written under OUT', () => {
  async function badCase(name: string, edit: (dir: string) => Promise<void>, from = SIMPLE) {
    const dir = join(tmp.dir, `bad-${name}`);
    await cp(from, dir, { recursive: true });
    await edit(dir);
    const out = join(tmp.dir, `bad-${name}-out`);
    const r = await runCli(['convert', dir, '--output', out]);
    expect(existsSync(out), 'nothing under OUT').toBe(false);
    return r;
  }
  async function editProgram(dir: string, f: (d: ProgramDesc) => void, file = 'model.pdmodel') {
    const path = join(dir, file);
    const desc = decodeProgramDesc(new Uint8Array(await readFile(path)));
    f(desc);
    await writeFile(path, encodeProgramDesc(desc));
  }

  test('a truncated __model__', async () => {
    const r = await badCase('truncated', async (d) => truncate(join(d, 'model.pdmodel'), 4000));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/model\.pdmodel" is not a Paddle ProgramDesc/);
  });

  test('a __model__ that is not protobuf', async () => {
    const r = await badCase('text', async (d) =>
      writeFile(join(d, 'model.pdmodel'), 'this is not a program\n'),
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is not a Paddle ProgramDesc');
  });

  test('a params file shorter than the VarDescs say names the variable and the byte offset', async () => {
    const r = await badCase('short', async (d) => truncate(join(d, 'model.pdiparams'), 4000));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/variable "conv1_weights" \(record 5 of 5, byte \d+\).*truncated/);
  });

  test('a params file longer than the VarDescs say', async () => {
    const r = await badCase('long', async (d) =>
      writeFile(
        join(d, 'model.pdiparams'),
        Buffer.concat([await readFile(join(d, 'model.pdiparams')), Buffer.alloc(12)]),
      ),
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/12 left over/);
  });

  test('a non-float32 tensor is named', async () => {
    const r = await badCase('fp64', (d) =>
      editProgram(d, (desc) => {
        const v = desc.blocks[0]!.vars.find((x) => x.name === 'conv1_bn_mean')!;
        v.type.lodTensor!.tensor.dataType = 6;
      }),
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('parameter "conv1_bn_mean"');
    expect(r.stderr).toContain('float64');
  });

  test('ops outside the table: one error listing every type with its count and first output', async () => {
    const r = await badCase('ops', (d) =>
      editProgram(d, (desc) => {
        for (const op of desc.blocks[0]!.ops) {
          if (op.type === 'relu') op.type = 'gelu';
          if (op.type === 'batch_norm') op.type = 'layer_norm';
        }
        const relu = desc.blocks[0]!.ops.find((o) => o.type === 'gelu')!;
        desc.blocks[0]!.ops.splice(3, 0, structuredClone(relu));
      }),
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('2 op type(s)');
    expect(r.stderr).toContain('layer_norm ×1 (first writes "batch_norm_0.tmp_0")');
    expect(r.stderr).toContain('gelu ×2 (first writes "batch_norm_0.tmp_3")');
  });

  test('more than one fetch says which', async () => {
    const r = await badCase('fetch', (d) =>
      editProgram(d, (desc) => {
        const ops = desc.blocks[0]!.ops;
        const fetch = structuredClone(ops.at(-1)!);
        fetch.inputs[0]!.arguments = ['conv2d_0.tmp_0'];
        for (const a of fetch.attrs) if (a.name === 'col' && a.type === 'INT') a.value = 1;
        ops.push(fetch);
      }),
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/2 fetch targets \(batch_norm_0\.tmp_3, conv2d_0\.tmp_0\)/);
  });

  test('more than one feed says which', async () => {
    const r = await badCase('feed', (d) =>
      editProgram(d, (desc) => {
        const ops = desc.blocks[0]!.ops;
        const feed = structuredClone(ops[0]!);
        feed.outputs[0]!.arguments = ['second'];
        ops.unshift(feed);
      }),
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/2 feed targets \((second, image|image, second)\)/);
  });

  test('a folder with no model file lists what was looked for', async () => {
    const dir = join(tmp.dir, 'empty');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'readme.txt'), 'nothing');
    const out = join(tmp.dir, 'empty-out');
    const r = await runCli(['convert', dir, '--output', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('"__model__", "model"');
    expect(r.stderr).toContain('*.pdmodel');
    expect(existsSync(out)).toBe(false);
  });

  test('the library reports the same errors with their codes', async () => {
    let caught: unknown;
    try {
      await convertModel(join(tmp.dir, 'bad-ops'), { output: join(tmp.dir, 'lib-out') });
    } catch (e) {
      caught = e;
    }
    expect(isPdsegError(caught, 'MODEL_UNSUPPORTED_OP')).toBe(true);
    await rm(join(tmp.dir, 'lib-out'), { recursive: true, force: true });
  });
});
