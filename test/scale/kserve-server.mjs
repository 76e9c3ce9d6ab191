/**
 * A loopback KServe v2 inference server for the tests, written from the protocol
 * (kserve/open-inference-protocol, binary tensor extension): `GET /v2/models/NAME` answers
 * the metadata, `POST /v2/models/NAME/infer` reads a JSON header of
 * `Inference-Header-Content-Length` bytes then the raw tensor, runs the model of a Triton
 * repository entry with onnxruntime, and answers the output the same way. It counts
 * requests, so tests can check batching. Plain JavaScript: bench/shard.mjs uses it too.
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';

const DATATYPE = { float32: 'FP32', uint8: 'UINT8', int64: 'INT64' };

/** Starts the server on a free loopback port: `{ url, requests, close() }`. */
export async function startKserve(repo, name) {
  const session = await ort.InferenceSession.create(await readFile(join(repo, name, '1', 'model.onnx')));
  const input = session.inputNames[0];
  const output = session.outputNames[0];
  const state = { requests: 0 };
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = Buffer.concat(chunks);
    if (req.method === 'GET' && req.url === `/v2/models/${name}`) {
      const meta = {
        name,
        platform: 'onnxruntime_onnx',
        inputs: [{ name: input, datatype: 'FP32', shape: [-1, -1, -1, -1] }],
        outputs: [{ name: output, datatype: 'FP32', shape: [-1, -1, -1, -1] }],
      };
      // The output's type as the model declares it.
      const probe = session.outputMetadata;
      if (probe?.[0]?.type) meta.outputs[0].datatype = DATATYPE[probe[0].type] ?? 'FP32';
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(meta));
      return;
    }
    if (req.method !== 'POST' || req.url !== `/v2/models/${name}/infer`) {
      res.writeHead(404).end(JSON.stringify({ error: 'not found' }));
      return;
    }
    state.requests++;
    const n = Number(req.headers['inference-header-content-length']);
    const head = JSON.parse(body.subarray(0, n).toString('utf8'));
    const t = head.inputs[0];
    const raw = body.subarray(n, n + t.parameters.binary_data_size);
    const data = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
    const out = (await session.run({ [t.name]: new ort.Tensor('float32', data, t.shape) }))[output];
    const bytes = Buffer.from(out.data.buffer, out.data.byteOffset, out.data.byteLength);
    const reply = Buffer.from(
      JSON.stringify({
        model_name: name,
        outputs: [
          {
            name: output,
            datatype: DATATYPE[out.type] ?? out.type,
            shape: out.dims,
            parameters: { binary_data_size: bytes.byteLength },
          },
        ],
      }),
    );
    res
      .writeHead(200, {
        'content-type': 'application/octet-stream',
        'inference-header-content-length': String(reply.byteLength),
      })
      .end(Buffer.concat([reply, bytes]));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    get requests() {
      return state.requests;
    },
    close: () => new Promise((r) => server.close(() => r())),
  };
}
