import { describe, expect, it } from 'vitest';
import { diffGraphs } from '../../../src/viewer/analysis/diff.js';
import { GraphBuilder } from './fixtures.js';

/** The tail of a PSPNet-style network: conv, pyramid branch, concat, logit conv, resize, softmax. */
function pspLike(classes: number, names: (n: string) => string = (n) => n) {
  const b = new GraphBuilder('psp');
  const x = b.input('image', ['N', 3, 64, 64]);
  const conv = (input: string, cin: number, cout: number, scope: string) => {
    const w = b.init(names(`${scope}/weights`), [cout, cin, 1, 1]);
    const bias = b.init(names(`${scope}/biases`), [cout]);
    const y = b.node(
      'Conv',
      [input, w, bias],
      [names(`${scope}.tmp_0`)],
      { kernel_shape: [1, 1] },
      names(`${scope}/conv2d`),
    );
    b.graph.tensors[y]!.shape = ['N', cout, 64, 64];
    return y;
  };
  const stem = b.node('Relu', [conv(x, 3, 16, 'stem')], [names('stem.relu')], {}, names('stem/relu'));
  const pooled = b.node(
    'AveragePool',
    [stem],
    [names('psp.pool')],
    { kernel_shape: [1, 1] },
    names('psp/pool'),
  );
  const cat = b.node(
    'Concat',
    [stem, conv(pooled, 16, 4, 'psp1')],
    [names('psp.cat')],
    { axis: 1 },
    names('psp/concat'),
  );
  const logit = conv(cat, 20, classes, 'logit');
  const prob = b.node('Softmax', [logit], [names('prob')], { axis: 1 }, names('softmax'));
  b.graph.tensors[prob]!.shape = ['N', classes, 64, 64];
  b.output(prob);
  return b.graph;
}

describe('diffGraphs', () => {
  it('reports exactly the logit weights and biases for 2 vs 19 classes', () => {
    const d = diffGraphs(pspLike(2), pspLike(19));
    expect(d.added).toEqual([]);
    expect(d.removed).toEqual([]);
    expect(d.attributes).toEqual([]);
    expect(d.matchedByName).toBe(7);
    expect(d.parameters).toEqual([
      {
        nameA: 'logit/weights',
        nameB: 'logit/weights',
        before: { dims: [2, 20, 1, 1], dtype: 'float32' },
        after: { dims: [19, 20, 1, 1], dtype: 'float32' },
      },
      {
        nameA: 'logit/biases',
        nameB: 'logit/biases',
        before: { dims: [2], dtype: 'float32' },
        after: { dims: [19], dtype: 'float32' },
      },
    ]);
    expect(d.tensorShapes.map((c) => [c.nameA, c.before, c.after])).toEqual([
      ['logit.tmp_0', ['N', 2, 64, 64], ['N', 19, 64, 64]],
      ['prob', ['N', 2, 64, 64], ['N', 19, 64, 64]],
    ]);
  });

  it('aligns renamed nodes by structure and finds an inserted node and a changed attribute', () => {
    const a = pspLike(2);
    const b = pspLike(2, (n) => `other_${n.replaceAll('/', '_')}`);
    // B: an extra Relu after the concat, and the softmax over another axis.
    const catIndex = b.nodes.findIndex((n) => n.opType === 'Concat');
    const logitIndex = b.nodes.findIndex((n, i) => n.opType === 'Conv' && i > catIndex);
    b.nodes.push({
      id: b.nodes.length,
      name: 'extra',
      opType: 'Relu',
      scope: [],
      attributes: {},
      inputs: [b.nodes[catIndex]!.outputs[0]!],
      outputs: ['extra_out'],
    });
    b.tensors.extra_out = { name: 'extra_out', consumers: [logitIndex] };
    b.nodes[logitIndex]!.inputs[0] = 'extra_out';
    b.nodes.find((n) => n.opType === 'Softmax')!.attributes.axis = -1;
    const d = diffGraphs(a, b);
    expect(d.matchedByName).toBe(0);
    expect(d.matched).toHaveLength(7);
    for (const [i, j] of d.matched)
      expect(b.nodes[j]!.name).toBe(`other_${a.nodes[i]!.name.replaceAll('/', '_')}`);
    expect(d.added.map((j) => b.nodes[j]!.name)).toEqual(['extra']);
    expect(d.removed).toEqual([]);
    expect(d.attributes.map((c) => [c.node, c.attribute, c.before, c.after])).toEqual([
      ['other_softmax', 'axis', '1', '-1'],
    ]);
    expect(d.parameters).toEqual([]);
  });
});
