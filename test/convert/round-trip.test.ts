/**
 * The round trip on every architecture pdseg builds (and each DeepLab backbone family): its program written as Paddle's
 * inference model (`__model__` + `__params__`) and brought back by `pdseg convert` gives the
 * same outputs as the program lowered directly (≤ 1e-6).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { convertModel } from '../../src/convert/convert-model.js';
import { buildPredictProgram } from '../../src/models/model-builder.js';
import { decodeModel } from '../../src/onnx/decode.js';
import { encodeModel } from '../../src/onnx/encode.js';
import { writeInferenceModel } from '../../src/program/inference-model.js';
import { lowerToOnnx } from '../../src/program/lower-onnx.js';
import { ROOT, tempDir } from '../helpers.js';
import { expectClose, runOnnx, seededFeed, seededParams } from '../program/run-program.js';

let tmp: { dir: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  tmp = await tempDir('pdseg-round-trip-');
});
afterAll(async () => {
  await tmp.cleanup();
});

const CASES: Array<[string, string, string[]]> = [
  ['pspnet', 'pspnet_optic.yaml', ['MODEL.PSPNET.DEPTH_MULTIPLIER', '0.125']],
  ['unet bilinear', 'unet_optic.yaml', []],
  ['unet deconv', 'unet_optic.yaml', ['MODEL.UNET.UPSAMPLE_MODE', 'deconv']],
  [
    'hrnet',
    'hrnet_optic.yaml',
    ['MODEL.HRNET.STAGE3.NUM_MODULES', '1', 'MODEL.HRNET.STAGE4.NUM_MODULES', '1'],
  ],
  ['deeplabv3p xception65 gn', 'deeplabv3p_xception65_cityscapes.yaml', ['MODEL.DEFAULT_NORM_TYPE', 'gn']],
  ['deeplabv3p mobilenetv2 one-channel', 'lovasz_hinge_deeplabv3p_mobilenet_road.yaml', []],
  [
    'deeplabv3p mobilenetv3 large',
    'deeplabv3p_mobilenetv3_large_cityscapes.yaml',
    ['EVAL_CROP_SIZE', '(161, 129)', 'MODEL.DEEPLAB.ENCODER.POOLING_CROP_SIZE', '(97, 65)'],
  ],
  ['deeplabv3p resnet50_vd', 'deeplabv3p_resnet50_vd_cityscapes.yaml', []],
  [
    'ocrnet',
    'ocrnet_w18_bn_cityscapes.yaml',
    ['MODEL.HRNET.STAGE3.NUM_MODULES', '1', 'MODEL.HRNET.STAGE4.NUM_MODULES', '1'],
  ],
  ['icnet', 'icnet_optic.yaml', ['EVAL_CROP_SIZE', '(112, 100)', 'MODEL.ICNET.DEPTH_MULTIPLIER', '0.25']],
  ['fast_scnn', 'fast_scnn_pet.yaml', ['EVAL_CROP_SIZE', '(96, 80)']],
];

describe('program → __model__ + __params__ → pdseg convert equals the direct lowering', () => {
  test.each(CASES)(
    '%s',
    async (name, file, extra) => {
      const cfg = await loadConfig({
        cfgFile: join(ROOT, 'configs', file),
        overrides: ['EVAL_CROP_SIZE', '(48, 32)', 'TRAIN_CROP_SIZE', '(48, 32)', ...extra],
      });
      const program = buildPredictProgram(cfg);
      const params = seededParams(program, 5);
      // Weights uniform in ±1 overflow deep nets to Inf (then NaN): keep convs near-unit gain.
      for (const [n, t] of params) {
        if (!/weights$/.test(n)) continue;
        const fanIn = t.dims.slice(1).reduce((a, b) => a * b, 1);
        const k = 1 / Math.sqrt(fanIn);
        for (let i = 0; i < t.data.length; i++) t.data[i]! *= k;
      }
      const feeds = seededFeed(program, 6);
      const [direct] = await runOnnx(program, params, feeds);
      const dir = join(tmp.dir, name.replace(/\W+/g, '-'));
      await writeInferenceModel(dir, program, async (n) => {
        const d = params.get(n)!.data;
        return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
      });
      const converted = await convertModel(dir, { output: join(dir, 'onnx') });
      const session = await ort.InferenceSession.create(converted.modelPath);
      const feed = feeds.image!;
      const out = await session.run({ image: new ort.Tensor('float32', feed.data, feed.dims) });
      const got = out[session.outputNames[0]!]!;
      expect([...got.dims]).toEqual([...direct!.dims]);
      expectClose(got.data as Float32Array, direct!.data, 1e-6, 0);
      // And not only on this input: the two graphs are the same node for node, attributes included.
      const nodes = (m: { graph: { node: Array<{ opType: string; attribute: unknown[] }> } }) =>
        m.graph.node.map((n) => [n.opType, JSON.stringify(n.attribute)]);
      const directModel = lowerToOnnx(program, { name: 'x' }).builder.toModel({
        producerVersion: '',
        metadata: [],
      });
      // Both through the encoder: attribute floats are float32 on the wire.
      expect(nodes(decodeModel(new Uint8Array(await readFile(converted.modelPath))))).toEqual(
        nodes(decodeModel(encodeModel(directModel))),
      );
    },
    120_000,
  );
});
