import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PdsegError } from '../../src/errors.js';
import { decodeModel, tensorValues } from '../../src/onnx/decode.js';
import { encodeModel, encodeModelChunks, encodeModelStream } from '../../src/onnx/encode.js';
import { AttributeType, type ModelProto, TensorDataType } from '../../src/onnx/types.js';
import { Reader, Writer } from '../../src/onnx/wire.js';
import { ROOT, tempDir } from '../helpers.js';

const REF_DIR = join(ROOT, 'test', 'reference', 'onnx');
const refBytes = new Uint8Array(readFileSync(join(REF_DIR, 'reference.onnx')));
const facts = JSON.parse(readFileSync(join(REF_DIR, 'reference.json'), 'utf8'));

function attr(m: ModelProto, node: string, name: string) {
  const n = m.graph.node.find((x) => x.name === node)!;
  return n.attribute.find((a) => a.name === name)!;
}

describe('ONNX decoder on a file written by the onnx library', () => {
  const m = decodeModel(refBytes);

  it('reads the model header, opsets and metadata', () => {
    expect(m.irVersion).toBe(facts.ir_version);
    expect(m.opsetImport.map((o) => [o.domain, o.version])).toEqual(facts.opset);
    expect(m.producerName).toBe(facts.producer_name);
    expect(Object.fromEntries(m.metadataProps.map((e) => [e.key, e.value]))).toEqual(facts.metadata);
  });

  it('reads nodes, attributes (negative ints, floats, strings) and subgraphs', () => {
    expect(m.graph.node.map((n) => [n.name, n.opType, n.input, n.output])).toEqual(facts.nodes);
    expect(attr(m, 'net/argmax', 'axis').i).toBe(facts.argmax_axis);
    expect(attr(m, 'net/leaky', 'alpha').f).toBeCloseTo(facts.leaky_alpha, 7);
    expect(attr(m, 'net/conv', 'pads').ints).toEqual(facts.conv_pads);
    expect(attr(m, 'net/conv', 'pads').type).toBe(AttributeType.INTS);
    expect(new TextDecoder().decode(attr(m, 'net/resize', 'mode').s)).toBe(facts.resize_mode);
    expect(attr(m, 'branch/if', 'then_branch').g!.node[0]!.name).toBe(facts.then_node);
    expect(m.graph.node[0]!.docString).toBe(facts.conv_doc);
  });

  it('reads initializers stored as raw_data, float_data, int64_data and bool', () => {
    for (const t of m.graph.initializer) {
      const want = facts.initializers[t.name];
      expect(t.dims, t.name).toEqual(want.dims);
      expect(t.dataType, t.name).toBe(want.data_type);
      const got = Array.from(tensorValues(t), Number);
      expect(got.length).toBe(want.values.length);
      for (const [i, v] of got.entries()) {
        expect(Math.abs(v - want.values[i])).toBeLessThanOrEqual(1e-6 + 1e-6 * Math.abs(v));
      }
    }
  });

  it('reads initializer values correctly from a Node Buffer at every byte alignment', () => {
    const want = facts.initializers['conv/weights'].values as number[];
    for (let shift = 0; shift < 4; shift++) {
      const padded = Buffer.concat([Buffer.alloc(shift), Buffer.from(refBytes)]).subarray(shift);
      const t = decodeModel(padded).graph.initializer.find((x) => x.name === 'conv/weights')!;
      const got = Array.from(tensorValues(t));
      expect(got.length).toBe(want.length);
      for (const [i, v] of got.entries()) expect(Math.abs(v - want[i]!)).toBeLessThanOrEqual(1e-6);
    }
  });

  it('round-trips node metadata_props (field 9, IR 10)', () => {
    const copy = decodeModel(refBytes);
    copy.graph.node[0]!.metadataProps = [{ key: 'pkg.torch.onnx.stack_trace', value: 'File "m.py", line 3' }];
    const back = decodeModel(encodeModel(copy));
    expect(back.graph.node[0]!.metadataProps).toEqual(copy.graph.node[0]!.metadataProps);
  });

  it('reads symbolic and fixed dimensions', () => {
    const dims = (v: (typeof m.graph.input)[number]) =>
      v.type!.tensorType!.shape!.dim.map((d) => d.dimParam ?? d.dimValue);
    expect(dims(m.graph.input[0]!)).toEqual(facts.input_dims);
    expect(dims(m.graph.valueInfo[0]!)).toEqual(facts.value_info_dims);
  });

  it('re-encodes the decoded model to the same bytes the onnx library wrote', () => {
    const again = encodeModel(m);
    expect(again.length).toBe(facts.byte_length);
    expect(Buffer.from(again).equals(Buffer.from(refBytes))).toBe(true);
  });
});

describe('ONNX encoder', () => {
  it('keeps large raw_data buffers by reference instead of copying them', () => {
    const weights = new Uint8Array(4 * 100_000);
    const model = decodeModel(refBytes);
    model.graph.initializer.push({
      name: 'big',
      dims: [100_000],
      dataType: TensorDataType.FLOAT,
      rawData: weights,
    });
    const chunks = encodeModelChunks(model);
    expect(chunks.some((c) => c === weights)).toBe(true);
    const whole = encodeModel(model);
    const back = decodeModel(whole);
    expect(back.graph.initializer.at(-1)!.rawData!.length).toBe(weights.length);
  });

  it('writes negative int64 values as 10-byte varints that decode back', () => {
    const w = new Writer();
    w.uint(3, -1);
    w.uint(3, -(2 ** 40));
    const bytes = w.finish();
    expect(bytes.length).toBe(2 * (1 + 10));
    const r = new Reader(bytes);
    expect(Reader.toInt64(r.next(), bytes)).toBe(-1);
    expect(Reader.toInt64(r.next(), bytes)).toBe(-(2 ** 40));
  });

  it.runIf(existsSync('/usr/bin/python3'))(
    'writes models that onnx.checker accepts with full_check',
    async () => {
      const model = decodeModel(refBytes);
      model.graph.node[0]!.docString = 'src/onnx/encode.ts:1 test';
      const { dir, cleanup } = await tempDir();
      try {
        const path = join(dir, 'm.onnx');
        writeFileSync(path, encodeModel(model));
        const out = execFileSync('/usr/bin/python3', [
          '-c',
          'import onnx,sys; m=onnx.load(sys.argv[1]); onnx.checker.check_model(m, full_check=True); print(len(m.graph.node))',
          path,
        ]).toString();
        expect(out.trim()).toBe(String(model.graph.node.length));
      } finally {
        await cleanup();
      }
    },
  );
});

describe('ONNX decoder errors', () => {
  it('rejects a truncated file with ONNX_DECODE and the offset', () => {
    const cut = refBytes.subarray(0, 700);
    expect(() => decodeModel(cut)).toThrow(PdsegError);
    try {
      decodeModel(cut);
    } catch (e) {
      expect((e as PdsegError).code).toBe('ONNX_DECODE');
      expect((e as PdsegError).message).toMatch(/truncated|runs past the end/);
    }
  });

  it('rejects text that is not a model', () => {
    const bytes = new TextEncoder().encode('this is not an onnx model\n');
    expect(() => decodeModel(bytes)).toThrow(/ONNX|decode|not an ONNX model/);
  });
});

describe('ONNX streaming encoder', () => {
  const withLazyWeights = (load: (bytes: Uint8Array) => Promise<Uint8Array>) => {
    const model = decodeModel(refBytes);
    for (const t of model.graph.initializer) {
      if (!t.rawData) continue;
      const bytes = t.rawData;
      t.rawData = undefined;
      t.rawDataSource = { byteLength: bytes.byteLength, load: () => load(bytes) };
    }
    return { model };
  };
  const collect = async (it: AsyncIterable<Uint8Array>) => {
    const parts: Uint8Array[] = [];
    for await (const p of it) parts.push(p);
    return Buffer.concat(parts);
  };

  it('loads lazy raw_data while streaming and writes the same bytes as the eager encoder', async () => {
    let loads = 0;
    const { model } = withLazyWeights(async (b) => {
      loads++;
      return b;
    });
    const streamed = await collect(encodeModelStream(model, { readAhead: 1 }));
    expect(loads).toBe(1);
    expect(streamed.equals(Buffer.from(refBytes))).toBe(true);
    expect(() => encodeModelChunks(model)).toThrow(/encodeModelStream/);
  });

  it('fails when a lazy source returns another length than it declared', async () => {
    const { model } = withLazyWeights(async (b) => b.subarray(1));
    await expect(collect(encodeModelStream(model))).rejects.toThrow(/declared/);
  });
});
