import { copyFile, mkdir, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PdsegError } from '../../src/errors.js';
import { openCheckpoint } from '../../src/paddle/checkpoint.js';
import { openCombined } from '../../src/paddle/checkpoint-combined.js';
import { writeCheckpoint } from '../../src/paddle/checkpoint-writer.js';
import {
  decodeProgramDesc,
  encodeProgramDesc,
  persistableParamNames,
} from '../../src/paddle/program-desc.js';
import type { Tensor } from '../../src/paddle/tensor.js';
import { SHARED, tempDir } from '../helpers.js';
import { pspnetLikeProgram } from './pspnet-like-program.js';

const PADDLE = join(SHARED, 'testdata', 'paddle');
const GESTURE = join(PADDLE, 'v1-combined-paddlejs-gesture_rec');
const SIMPLE = join(PADDLE, 'v2-paddlelite-simple_model');

let tmp: { dir: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  tmp = await tempDir('pdseg-paddle-');
});
afterAll(async () => {
  await tmp.cleanup();
});

async function expectError(p: Promise<unknown>, code: string, ...phrases: string[]): Promise<PdsegError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(PdsegError);
    expect((e as PdsegError).code).toBe(code);
    for (const phrase of phrases) expect((e as PdsegError).message).toContain(phrase);
    return e as PdsegError;
  }
  throw new Error('expected an error');
}

/** Seeded tensors for the parameters of the PSPNet-like program, plus optimizer state. */
function fixtureTensors(): Tensor[] {
  const program = pspnetLikeProgram({ numClasses: 3 });
  let seed = 1;
  const out: Tensor[] = [];
  for (const v of program.blocks[0]!.vars) {
    if (!v.persistable || v.type.type !== 7) continue;
    const dims = v.type.lodTensor!.tensor.dims;
    const data = new Float32Array(dims.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      data[i] = seed / 2 ** 31 - 0.5;
    }
    out.push({ name: v.name, dims, dtype: 'float32', data });
  }
  return out;
}

describe('combined files written by Paddle', () => {
  it('with the VarDesc shapes given, reads the headers at predicted offsets; a wrong shape falls back to the walk', async () => {
    const program = decodeProgramDesc(new Uint8Array(await readFile(join(GESTURE, '__model__'))));
    const names = persistableParamNames(program);
    const vars = new Map(program.blocks[0]!.vars.map((v) => [v.name, v.type.lodTensor?.tensor.dims ?? []]));
    const expected = names.map((name) => ({ name, dims: [...vars.get(name)!], dtype: 'float32' as const }));
    const walked = await openCombined(join(GESTURE, 'params'), [{ label: 'walk', names }]);
    const predicted = await openCombined(join(GESTURE, 'params'), [{ label: 'fast', names, expected }]);
    // A wrong expectation (the first record claims an extra dim) cannot predict the offsets.
    const wrong = expected.map((e, i) => (i === 0 ? { ...e, dims: [...e.dims, 1] } : e));
    const fallback = await openCombined(join(GESTURE, 'params'), [
      { label: 'wrong', names, expected: wrong },
    ]);
    for (const name of [names[0]!, names[100]!, names.at(-1)!]) {
      const want = await walked.read(name);
      expect((await predicted.read(name)).data).toEqual(want.data);
      expect((await fallback.read(name)).dims).toEqual(want.dims);
    }
    await Promise.all([walked.close(), predicted.close(), fallback.close()]);
  });

  it('reads all 269 FP32 records of gesture_rec/params in the order its __model__ implies', async () => {
    const cp = await openCheckpoint(GESTURE);
    expect(cp.layout).toBe('combined');
    expect(cp.path).toBe(join(GESTURE, 'params'));
    const names = cp.names();
    expect(names).toHaveLength(269);
    const program = decodeProgramDesc(new Uint8Array(await readFile(join(GESTURE, '__model__'))));
    const varDims = new Map(program.blocks[0]!.vars.map((v) => [v.name, v.type.lodTensor?.tensor.dims]));
    let dataBytes = 0;
    for (const name of names) {
      const t = await cp.read(name);
      expect(t.dtype).toBe('float32');
      expect(t.data).toBeInstanceOf(Float32Array);
      expect(t.dims).toEqual(varDims.get(name));
      dataBytes += t.data.byteLength;
    }
    // every record consumed exactly: data + one 20 + L header per record = the file size
    const size = (await stat(join(GESTURE, 'params'))).size;
    expect(size - dataBytes).toBeGreaterThan(269 * 24);
    expect(size - dataBytes).toBeLessThan(269 * 40);
    // the first record, decoded by hand from the raw bytes
    const raw = await readFile(join(GESTURE, 'params'));
    const L = raw.readInt32LE(16);
    const first = await cp.read(names[0]!);
    expect((first.data as Float32Array)[0]).toBe(raw.readFloatLE(20 + L));
    await cp.close();
  });

  it('reads model.pdiparams (5 records) by its model.pdmodel, also when named explicitly', async () => {
    for (const options of [{}, { combinedFile: 'model.pdiparams' }]) {
      const cp = await openCheckpoint(SIMPLE, options);
      expect(cp.layout).toBe('combined');
      expect(cp.names()).toEqual([
        'conv1_bn_mean',
        'conv1_bn_offset',
        'conv1_bn_scale',
        'conv1_bn_variance',
        'conv1_weights',
      ]);
      expect(cp.info('conv1_bn_mean')).toEqual({ name: 'conv1_bn_mean', dims: [32], dtype: 'float32' });
      expect(cp.info('conv1_weights')?.dims).toEqual([32, 3, 3, 3]);
      await cp.close();
    }
  });

  it('opens a combined file given by path, and a folder whose only pickle is best_model.pdparams', async () => {
    const cp = await openCheckpoint(join(GESTURE, 'params'));
    expect(cp.layout).toBe('combined');
    expect(cp.names()).toHaveLength(269);
    await cp.close();
    const mlp = await openCheckpoint(join(PADDLE, 'v2-pickle-paddlescience-mlp'));
    expect(mlp.layout).toBe('pdparams');
    expect(mlp.path).toBe(join(PADDLE, 'v2-pickle-paddlescience-mlp', 'best_model.pdparams'));
    await mlp.close();
  });

  it('uses the expected names when no program lies beside the combined file, and rejects a wrong list', async () => {
    const dir = join(tmp.dir, 'gesture-no-model');
    await mkdir(dir);
    await copyFile(join(GESTURE, 'params'), join(dir, 'params'));
    const program = decodeProgramDesc(new Uint8Array(await readFile(join(GESTURE, '__model__'))));
    const names = program.blocks[0]!.vars.filter((v) => v.persistable && v.type.type === 7).map(
      (v) => v.name,
    );
    const cp = await openCheckpoint(dir, { expectedNames: [...names].reverse() });
    expect(cp.names()).toHaveLength(269);
    await cp.close();
    await expectError(openCheckpoint(dir, { expectedNames: names.slice(1) }), 'WEIGHT_FORMAT', 'left over');
    await expectError(openCheckpoint(dir), 'WEIGHT_FORMAT', 'needs their names');
  });
});

describe('layout detection on generated checkpoints', () => {
  const tensors = fixtureTensors();
  const byName = new Map(tensors.map((t) => [t.name, t]));

  for (const layout of ['per-file', 'combined', 'pdparams'] as const) {
    it(`detects ${layout} and reads every tensor back`, async () => {
      const dir = join(tmp.dir, `detect-${layout}`);
      const written = await writeCheckpoint(dir, tensors, layout);
      expect(written.files).toBe(layout === 'per-file' ? tensors.length : 1);
      if (layout === 'combined')
        await writeFile(join(dir, '__model__'), encodeProgramDesc(pspnetLikeProgram({ numClasses: 3 })));
      if (layout === 'per-file') {
        await writeFile(join(dir, 'README.md'), '# zoo model\n');
        await writeFile(join(dir, '.pdseg-download.json'), '{"url":"x"}');
        await writeCheckpoint(
          dir,
          [{ name: '@LR_DECAY_COUNTER@', dims: [1], dtype: 'int64', data: new BigInt64Array([42n]) }],
          'per-file',
        );
      }
      const cp = await openCheckpoint(dir);
      expect(cp.layout).toBe(layout);
      const expectedNames = tensors.map((t) => t.name);
      if (layout === 'per-file') expectedNames.push('@LR_DECAY_COUNTER@');
      expect([...cp.names()].sort()).toEqual(expectedNames.sort());
      for (const t of tensors) {
        const got = await cp.read(t.name);
        expect(got.dims).toEqual(t.dims);
        expect(Array.from(got.data as Float32Array)).toEqual(Array.from(t.data as Float32Array));
      }
      if (layout === 'per-file') {
        expect(cp.has('psp1/BatchNorm/moving_mean')).toBe(true);
        expect(Array.from((await cp.read('@LR_DECAY_COUNTER@')).data as BigInt64Array)).toEqual([42n]);
        expect(cp.has('README.md')).toBe(false);
      }
      await cp.close();
      expect(byName.size).toBe(tensors.length);
    });
  }

  it('writes the combined records in byte-wise name order', async () => {
    const dir = join(tmp.dir, 'order');
    await writeCheckpoint(dir, tensors, 'combined');
    const cp = await openCheckpoint(dir, { expectedNames: tensors.map((t) => t.name) });
    const names = cp.names();
    expect(names.indexOf('logit/biases')).toBeLessThan(names.indexOf('psp1/BatchNorm/moving_mean'));
    expect(names.indexOf('psp1/BatchNorm/moving_mean')).toBeLessThan(names.indexOf('psp1/biases'));
    expect(names.indexOf('bn5a_branch2b_mean')).toBeLessThan(names.indexOf('bnv1_1_mean'));
    await cp.close();
  });

  it('reports why each layout did not fit, together, when none fits', async () => {
    const dir = join(tmp.dir, 'nothing');
    await mkdir(dir);
    await writeFile(join(dir, 'README.md'), 'nothing here\n');
    await writeFile(join(dir, '__params__'), new Uint8Array(10));
    const e = await expectError(openCheckpoint(dir), 'WEIGHT_FORMAT', 'pdparams:', 'combined:', 'per-file:');
    expect(e.message).toContain('no "model.pdparams"');
    expect(e.message).toContain('__params__');
  });

  it('names the file and the variable when a combined file is truncated', async () => {
    const dir = join(tmp.dir, 'truncated-combined');
    await writeCheckpoint(dir, tensors, 'combined');
    const file = join(dir, '__params__');
    await truncate(file, (await stat(file)).size - 10);
    await expectError(
      openCheckpoint(dir, { expectedNames: tensors.map((t) => t.name) }),
      'WEIGHT_FORMAT',
      file,
      'variable "res5a_branch2b_weights"',
      'truncated',
    );
  });

  it('names the file and the variable when a per-file variable is truncated', async () => {
    const dir = join(tmp.dir, 'truncated-per-file');
    await writeCheckpoint(dir, tensors, 'per-file');
    const file = join(dir, 'logit', 'weights');
    await truncate(file, (await stat(file)).size - 4);
    const cp = await openCheckpoint(dir);
    expect(cp.info('logit/weights')?.dims).toEqual([3, 12, 1, 1]);
    await expectError(
      cp.read('logit/weights'),
      'WEIGHT_FORMAT',
      file,
      'variable "logit/weights"',
      'truncated',
    );
    await cp.close();
  });

  it('says WEIGHT_MISSING for a path that does not exist', async () => {
    await expectError(openCheckpoint(join(tmp.dir, 'absent')), 'WEIGHT_MISSING', 'does not exist');
  });
});
