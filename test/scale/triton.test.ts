/**
 * Triton model repository (scale/triton.ts, `export/convert --triton`) and
 * `pdseg predict --server` (scale/kserve-client.ts) against a loopback KServe v2 server
 * (kserve-server.ts): config.pbtxt checked field by field against Triton's ModelConfig
 * schema and against the model it sits beside, and the masks of a remote predict identical
 * to local ones for both heads.
 */
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePspnetFixture } from '../fixtures/pspnet.js';
import { runCli, tempDir } from '../helpers.js';
import { writeTestImage } from '../predict/images.js';
import { startKserve } from './kserve-server.mjs';

let tmp: { dir: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  tmp = await tempDir('pdseg-triton-');
  await makePspnetFixture({ dir: tmp.dir, numClasses: 3 });
  await mkdir(join(tmp.dir, 'photos'), { recursive: true });
  for (let i = 0; i < 3; i++)
    await writeTestImage(join(tmp.dir, 'photos'), `p${i}.jpg`, 50 + 9 * i, 40 + 4 * i, i + 1);
}, 120_000);
afterAll(async () => {
  await tmp.cleanup();
});

type Pb = Record<string, unknown[]>;

/** A reader of protobuf text format, enough for config.pbtxt: scalars, enums, lists, messages. */
function parsePbtxt(text: string): Pb {
  const tokens = text.match(/"(?:[^"\\]|\\.)*"|[{}[\]:,]|[^\s{}[\]:,]+/g) ?? [];
  let i = 0;
  const value = (): unknown => {
    const t = tokens[i++]!;
    if (t === '{') return message('}');
    if (t === '[') {
      const list: unknown[] = [];
      while (tokens[i] !== ']') {
        list.push(value());
        if (tokens[i] === ',') i++;
      }
      i++;
      return list;
    }
    if (t.startsWith('"')) return JSON.parse(t);
    return /^-?\d+$/.test(t) ? Number(t) : t;
  };
  const message = (end: string | undefined): Pb => {
    const out: Pb = {};
    while (i < tokens.length && tokens[i] !== end) {
      const key = tokens[i++]!;
      if (tokens[i] === ':') i++;
      const v = value();
      // A repeated field is written `f [ … ]` or several `f { … }`.
      const list = out[key] ?? [];
      list.push(...(Array.isArray(v) && !(tokens[i - 1] === '}') ? v : [v]));
      out[key] = list;
    }
    i++;
    return out;
  };
  return message(undefined);
}

/** ModelConfig fields (model_config.proto) this writer may use, and what each must be. */
const SCHEMA: Record<string, (v: unknown[]) => boolean> = {
  name: (v) => v.length === 1 && typeof v[0] === 'string',
  platform: (v) => v.length === 1 && v[0] === 'onnxruntime_onnx',
  max_batch_size: (v) => v.length === 1 && Number.isInteger(v[0]),
  input: (v) => v.length >= 1,
  output: (v) => v.length >= 1,
  dynamic_batching: (v) => v.length === 1,
  instance_group: (v) => v.length >= 1,
};
const TENSOR: Record<string, (v: unknown[]) => boolean> = {
  name: (v) => v.length === 1 && typeof v[0] === 'string',
  data_type: (v) =>
    v.length === 1 &&
    /^TYPE_(BOOL|UINT8|UINT16|UINT32|UINT64|INT8|INT16|INT32|INT64|FP16|FP32|FP64|STRING|BF16)$/.test(
      String(v[0]),
    ),
  dims: (v) => v.length >= 1 && v.every((d) => Number.isInteger(d) && (d as number) >= -1),
};

function checkSchema(cfg: Pb): void {
  for (const [k, v] of Object.entries(cfg)) {
    expect(Object.keys(SCHEMA), `field ${k}`).toContain(k);
    expect(SCHEMA[k]!(v), `field ${k} = ${JSON.stringify(v)}`).toBe(true);
  }
  for (const t of [...cfg.input!, ...cfg.output!] as Pb[]) {
    for (const [k, v] of Object.entries(t)) {
      expect(Object.keys(TENSOR), `tensor field ${k}`).toContain(k);
      expect(TENSOR[k]!(v), `tensor field ${k} = ${JSON.stringify(v)}`).toBe(true);
    }
  }
  for (const g of cfg.instance_group as Pb[]) expect(g.kind).toEqual(['KIND_CPU']);
}

describe('pdseg export --triton', () => {
  it.each(['softmax', 'argmax'] as const)(
    '%s head: config.pbtxt follows the schema and the model beside it',
    async (head) => {
      const repo = join(tmp.dir, `repo-${head}`);
      const r = await runCli(
        [
          'export',
          '--cfg',
          'pspnet_fixture.yaml',
          '--triton',
          repo,
          '--triton-head',
          head,
          '--triton-name',
          'psp',
        ],
        { cwd: tmp.dir },
      );
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(`Triton: ${join(repo, 'psp', 'config.pbtxt')}`);
      expect((await readdir(join(repo, 'psp'))).sort()).toEqual(['1', 'config.pbtxt']);
      const cfg = parsePbtxt(await readFile(join(repo, 'psp', 'config.pbtxt'), 'utf8'));
      checkSchema(cfg);
      expect([cfg.name, cfg.platform, cfg.max_batch_size]).toEqual([['psp'], ['onnxruntime_onnx'], [8]]);
      const input = (cfg.input as Pb[])[0]!;
      const output = (cfg.output as Pb[])[0]!;
      // Run the repository's model with a batch of 2: its shapes are the config's dims after N.
      const session = await ort.InferenceSession.create(join(repo, 'psp', '1', 'model.onnx'));
      expect([session.inputNames[0], session.outputNames[0]]).toEqual([input.name![0], output.name![0]]);
      const dims = [2, ...(input.dims as number[])];
      const out = (
        await session.run({
          [session.inputNames[0]!]: new ort.Tensor(
            'float32',
            new Float32Array(dims.reduce((a, b) => a * b)),
            dims,
          ),
        })
      )[session.outputNames[0]!]!;
      expect(out.dims).toEqual([2, ...(output.dims as number[])]);
      expect(input.data_type).toEqual(['TYPE_FP32']);
      expect(output.data_type).toEqual([head === 'argmax' ? 'TYPE_UINT8' : 'TYPE_FP32']);
      expect((output.dims as number[])[0]).toBe(head === 'argmax' ? 1 : 3);
      await session.release();
    },
    60_000,
  );

  it('refuses --triton with --format paddle and a bad model name, naming them', async () => {
    const a = await runCli(
      ['export', '--cfg', 'pspnet_fixture.yaml', '--format', 'paddle', '--triton', 'r'],
      { cwd: tmp.dir },
    );
    expect(a.code).toBe(2);
    expect(a.stderr).toContain('--triton needs the ONNX model');
    const b = await runCli(
      ['export', '--cfg', 'pspnet_fixture.yaml', '--triton', 'r', '--triton-name', 'a/b'],
      { cwd: tmp.dir },
    );
    expect(b.code).toBe(2);
    expect(b.stderr).toContain('--triton-name "a/b"');
  }, 60_000);
});

describe('pdseg predict --server (KServe v2, binary tensors)', () => {
  it.each(['argmax', 'softmax'] as const)(
    '%s head: the same masks as local predict',
    async (head) => {
      const repo = join(tmp.dir, `repo-${head}`);
      const local = await runCli(
        ['predict', '--input', 'photos', '--model', 'freeze_model', '--output', 'local', '--no-fold'],
        {
          cwd: tmp.dir,
        },
      );
      expect(local.code, local.stderr).toBe(0);
      const server = await startKserve(repo, 'psp');
      try {
        const remote = await runCli(
          [
            'predict',
            '--input',
            'photos',
            '--model',
            'freeze_model',
            '--output',
            `remote-${head}`,
            '--server',
            server.url,
            '--server-model',
            'psp',
            '--batch-size',
            '2',
          ],
          { cwd: tmp.dir },
        );
        expect(remote.code, remote.stderr).toBe(0);
        expect(server.requests).toBe(2);
        for (const f of ['p0.png', 'p1.png', 'p2.png']) {
          const [a, b] = await Promise.all([
            readFile(join(tmp.dir, 'local', f)),
            readFile(join(tmp.dir, `remote-${head}`, f)),
          ]);
          expect(Buffer.compare(a, b), f).toBe(0);
        }
      } finally {
        await server.close();
      }
    },
    60_000,
  );

  it('an unreachable server fails the run with one line naming it', async () => {
    const r = await runCli(
      [
        'predict',
        '--input',
        'photos',
        '--model',
        'freeze_model',
        '--output',
        'x',
        '--server',
        'http://127.0.0.1:9',
        '--server-model',
        'psp',
      ],
      { cwd: tmp.dir },
    );
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('cannot read model "psp" from the inference server http://127.0.0.1:9');
  }, 30_000);
});
