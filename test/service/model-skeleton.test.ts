import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeModel } from '../../src/onnx/decode.js';
import { encodeModel } from '../../src/onnx/encode.js';
import { TensorDataType } from '../../src/onnx/types.js';
import { checkModelFile } from '../../src/service/model-check.js';
import { onnxSkeleton } from '../../src/service/model-skeleton.js';
import { SHARED, tempDir } from '../helpers.js';
import { tinyOnnx } from './fixtures.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function file(name: string, bytes: Uint8Array | string): Promise<string> {
  const { dir, cleanup } = await tempDir('pdseg-skel-');
  cleanups.push(cleanup);
  const path = join(dir, name);
  await writeFile(path, bytes);
  return path;
}

/** `tinyOnnx` plus a 4 MB float initializer and metadata. */
function weighty(): Uint8Array {
  const m = decodeModel(tinyOnnx('weights', 4));
  m.metadataProps = [{ key: 'MODEL_NAME', value: 'pspnet' }];
  m.graph.initializer = [
    {
      name: 'w',
      dims: [1024, 1024],
      dataType: TensorDataType.FLOAT,
      rawData: new Uint8Array(4 * 1024 * 1024).fill(3),
    },
  ];
  return encodeModel(m);
}

describe('onnxSkeleton', () => {
  it('keeps everything but the initializers, and is small', async () => {
    const bytes = weighty();
    const full = decodeModel(bytes);
    const skeleton = (await onnxSkeleton(await file('m.onnx', bytes)))!;
    expect(skeleton.length).toBeLessThan(4096);
    const got = decodeModel(skeleton);
    expect(got.graph.initializer).toEqual([]);
    expect(got.graph.node).toEqual(full.graph.node);
    expect(got.graph.input).toEqual(full.graph.input);
    expect(got.graph.output).toEqual(full.graph.output);
    expect(got.opsetImport).toEqual(full.opsetImport);
    expect(got.metadataProps).toEqual([{ key: 'MODEL_NAME', value: 'pspnet' }]);
    expect(got.irVersion).toBe(8);
  });

  it('answers undefined for text, truncated ONNX and an empty file', async () => {
    expect(await onnxSkeleton(await file('a.txt', 'hello, this is text'))).toBeUndefined();
    const bytes = weighty();
    expect(await onnxSkeleton(await file('cut.onnx', bytes.subarray(0, bytes.length - 100)))).toBeUndefined();
    expect(await onnxSkeleton(await file('empty', new Uint8Array()))).toBeUndefined();
  });
});

describe('checkModelFile', () => {
  it('counts the nodes of an ONNX model from its skeleton', async () => {
    expect(await checkModelFile(await file('m.onnx', weighty()), 'm.onnx')).toEqual({
      format: 'onnx',
      nodeCount: 4,
    });
  });

  it('accepts a Paddle program written by Paddle itself', async () => {
    const path = join(SHARED, 'testdata', 'paddle', 'v2-paddlelite-simple_model', 'model.pdmodel');
    const facts = await checkModelFile(path, 'model.pdmodel');
    expect(facts.format).toBe('paddle');
    // feed → conv2d → batch_norm → relu → fetch; the viewer may hide feed/fetch.
    expect(facts.nodeCount).toBeGreaterThanOrEqual(3);
    expect(facts.nodeCount).toBeLessThanOrEqual(5);
  });

  it('gives the reason for a truncated ONNX file', async () => {
    const bytes = weighty();
    const err = await checkModelFile(await file('cut.onnx', bytes.subarray(0, 1000)), 'cut.onnx').catch(
      (e) => e,
    );
    expect(err.code).toBe('MODEL_FORMAT');
    expect(err.message).toContain("'cut.onnx'");
    expect(err.message).toContain('truncated');
  });
});
