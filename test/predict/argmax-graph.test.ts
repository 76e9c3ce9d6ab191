/**
 * The in-memory ArgMax edit on a tiny PREDICT-shaped model built with the real graph builder:
 * 1×1 conv logits → transpose → softmax → transpose → identity, as the exporter writes it.
 */
import { describe, expect, it } from 'vitest';
import { PdsegError } from '../../src/errors.js';
import { GraphBuilder } from '../../src/onnx/builder.js';
import { encodeModel } from '../../src/onnx/encode.js';
import { TensorDataType } from '../../src/onnx/types.js';
import { LABEL_OUTPUT, toArgmaxModel } from '../../src/predict/argmax-graph.js';
import { SegSession } from '../../src/predict/session.js';

/** Logits: class 0 and class 1 have IDENTICAL weights (exact ties); class 2 = −channel 0. */
function tinyModel(withSoftmax = true) {
  const b = new GraphBuilder('tiny');
  const x = b.input('image', ['N', 3, 2, 3]);
  const w = b.constant('w', [3, 3, 1, 1], Float32Array.from([1, 0.5, 0, 1, 0.5, 0, -1, 0, 0]));
  const logit = b.node1('Conv', [x, w], { kernel_shape: [1, 1] });
  let out = logit;
  if (withSoftmax) {
    const t = b.node1('Transpose', [logit], { perm: [0, 2, 3, 1] });
    const sm = b.node1('Softmax', [t], { axis: -1 });
    out = b.node1('Transpose', [sm], { perm: [0, 3, 1, 2] });
  }
  b.output(b.node1('Identity', [out], {}, { outputs: ['save_infer_model/scale_0.tmp_0'] }));
  return b.toModel({ producerVersion: 'test', metadata: [] });
}

describe('toArgmaxModel', () => {
  it('replaces the softmax tail with ArgMax + Cast(uint8), first index on ties', async () => {
    const edit = toArgmaxModel(tinyModel(), 3);
    expect(edit.labelType).toBe(TensorDataType.UINT8);
    const ops = edit.model.graph.node.map((n) => n.opType);
    expect(ops).toEqual(['Conv', 'ArgMax', 'Cast']);
    expect(edit.model.graph.output.map((o) => o.name)).toEqual([LABEL_OUTPUT]);
    const session = await SegSession.create(encodeModel(edit.model), { threads: 1 });
    // 6 pixels: channel 0 positive → classes 0 and 1 tie (→ 0); negative → class 2 wins.
    const c0 = [1, -1, 2, -0.5, 0, 3];
    const c1 = [0, 0, 0, 0, 0, 0];
    const data = Float32Array.from([...c0, ...c1, ...c1]);
    const out = await session.run(data, [1, 3, 2, 3]);
    await session.release();
    expect(out.dims).toEqual([1, 1, 2, 3]);
    expect(out.data).toBeInstanceOf(Uint8Array);
    // pixel value 0: logits 0, 0, 0 → three-way tie → class 0
    expect(Array.from(out.data as Uint8Array)).toEqual([0, 2, 0, 2, 0, 0]);
  });

  it('keeps int64 labels when the class count exceeds 256', () => {
    expect(toArgmaxModel(tinyModel(), 300).labelType).toBe(TensorDataType.INT64);
  });

  it('refuses a graph without a softmax output', () => {
    let err: unknown;
    try {
      toArgmaxModel(tinyModel(false), 3);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PdsegError);
    expect((err as PdsegError).code).toBe('MODEL_FORMAT');
    expect((err as PdsegError).message).toContain('not computed by a Softmax');
  });
});
