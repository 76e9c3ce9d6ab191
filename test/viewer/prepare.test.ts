/**
 * The page's first-view analysis (issue 7): shapes inferred for ONNX graphs without
 * value_info, repeated-block stages, "× N" folds in the hierarchy, the comparison summary,
 * auto-group on request, and PyTorch's node metadata read by the ONNX adapter.
 */
import { describe, expect, it } from 'vitest';
import { decodeOnnxView } from '../../src/viewer/adapters/onnx.js';
import { compareForView } from '../../src/viewer/compare.js';
import { foldRuns } from '../../src/viewer/fold-runs.js';
import { buildHierarchy, outline } from '../../src/viewer/hierarchy.js';
import { autoGroupForView, prepareForView } from '../../src/viewer/prepare.js';
import { GraphBuilder, residualNetwork, scopedResNet } from './analysis/fixtures.js';
import { bytesOf, chainModel, model, node, vi } from './models.js';

describe('prepareForView', () => {
  it('infers the shapes an ONNX file without value_info lacks, and leaves unknown ones unknown', () => {
    const g = decodeOnnxView(bytesOf(chainModel(6, (i) => `op${i}`)));
    expect(g.tensors.t2!.shape).toBeUndefined();
    const p = prepareForView(g);
    // Relu keeps its input's shape: N×8×16×16 from the graph input, all the way down.
    for (const t of ['t0', 't1', 't2', 't3', 't4']) expect(p.tensors[t]!.shape).toEqual(['N', 8, 16, 16]);
    expect(p.insight!.inferredShapes).toBe(5);
    expect(g.tensors.t2!.shape).toBeUndefined(); // the input graph is untouched
    const custom = decodeOnnxView(
      bytesOf(
        model({
          node: [node('Relu', 'a', ['x'], ['y']), node('MyOp', 'b', ['y'], ['z'])],
          input: [vi('x', [1, 4])],
          output: [{ name: 'z' }],
        }),
      ),
    );
    const q = prepareForView(custom);
    expect(q.tensors.y!.shape).toEqual([1, 4]);
    expect(q.tensors.z!.shape).toBeUndefined();
    expect(q.insight!.unsupported).toEqual({ MyOp: 1 });
  });

  it('labels the stages of a scoped ResNet and folds each identical run into one group', () => {
    const p = prepareForView(scopedResNet([3, 4, 6, 3]));
    const resnet = p.insight!.stages.find((s) => s.parent === 'resnet')!;
    expect(resnet.stages.map((s) => s.members.length)).toEqual([3, 4, 6, 3]);
    expect(resnet.stages[2]!.runs.map((r) => r.members.length)).toEqual([1, 5]);
    const h = buildHierarchy(p);
    expect(foldRuns(h, p.insight!.stages)).toBe(4);
    const res = h.groups.find((g) => g.kind === 'scope' && g.path.join('/') === 'resnet')!;
    const top = outline(h, p, res.id).filter((t) => t.startsWith('['));
    expect(top).toEqual([
      '[conv1]',
      '[res2a]',
      `[${resnet.stages[0]!.runs[1]!.label} × 2]`,
      '[res3a]',
      `[${resnet.stages[1]!.runs[1]!.label} × 3]`,
      '[res4a]',
      `[${resnet.stages[2]!.runs[1]!.label} × 5]`,
      '[res5a]',
      `[${resnet.stages[3]!.runs[1]!.label} × 2]`,
    ]);
    const fold = h.groups.find((g) => g.kind === 'fold')!;
    expect(fold.children.map((c) => h.groups[c.index]!.name)).toEqual(['res2b', 'res2c']);
    expect(fold.children.every((c) => h.groups[c.index]!.parent === fold.id)).toBe(true);
    // Its op count is its members': 10 ops per identity block of this fixture (3 conv+bn, 2 relu, add, relu).
    expect(fold.opCount).toBe(2 * 10);
  });

  it('builds auto-group scopes for a flat graph on request, with the stages among them', () => {
    const { graph, blocks } = residualNetwork({ blocks: 6, projection: (k) => k === 0 });
    const p = prepareForView(graph);
    expect(p.insight!.stages).toEqual([]);
    const { scopes, insight } = autoGroupForView(p);
    expect(insight.autoGrouped).toBe(true);
    for (const block of blocks) {
      const key = scopes[block[0]!]!.join('/');
      expect(block.every((i) => scopes[i]!.join('/') === key)).toBe(true);
    }
    expect(insight.stages.flatMap((s) => s.stages).map((s) => s.members.length)).toEqual([6]);
  });
});

describe('compareForView', () => {
  const net = (classes: number, extra: boolean) => {
    const b = new GraphBuilder('net');
    let x = b.input('x', [1, 3, 8, 8]);
    x = b.node('Conv', [x, b.init('w1', [4, 3, 1, 1])], 1, { kernel_shape: [1, 1] }, 'body/conv');
    x = b.node('Relu', [x], 1, {}, 'body/relu');
    if (extra) x = b.node('Sigmoid', [x], 1, {}, 'body/gate');
    x = b.node('Conv', [x, b.init('logit_w', [classes, 4, 1, 1])], 1, { kernel_shape: [1, 1] }, 'logit/conv');
    b.output(b.node('Softmax', [x], 1, { axis: classes === 2 ? 1 : -1 }, 'softmax'));
    return b.graph;
  };

  it('lists added and removed nodes, attribute and parameter changes, pointing into both graphs', () => {
    const before = net(2, false);
    const after = net(19, true);
    const c = compareForView(before, after, 'a.onnx');
    expect(c.before).toBe('a.onnx');
    expect(c.added).toEqual([{ name: 'body/gate', opType: 'Sigmoid', node: 2 }]);
    expect(c.removed).toEqual([]);
    expect(c.parameters).toEqual([
      { name: 'logit_w', before: 'float32[2×4×1×1]', after: 'float32[19×4×1×1]', node: 3, nodeA: 2 },
    ]);
    expect(c.attributes.map((a) => [a.name, a.attribute, a.before, a.after, a.nodeA, a.node])).toEqual([
      ['softmax', 'axis', '1', '-1', 3, 4],
    ]);
    // Every node of the before graph has its partner; the inserted gate has none.
    expect(c.pairs).toEqual([
      [0, 0],
      [1, 1],
      [2, 3],
      [3, 4],
    ]);
    const back = compareForView(after, before, 'b.onnx');
    expect(back.removed).toEqual([{ name: 'body/gate', opType: 'Sigmoid', nodeA: 2 }]);
  });
});

describe('PyTorch node metadata (ONNX adapter)', () => {
  it('reads pkg.torch.onnx.stack_trace into source frames and name_scopes into the scope', () => {
    const conv = node('Relu', '/layer1/layer1.0/relu/Relu', ['x'], ['y']);
    conv.metadataProps = [
      {
        key: 'pkg.torch.onnx.stack_trace',
        value:
          'File "/home/u/net.py", line 40, in forward\n    x = self.layer1(x)\nFile "/home/u/block.py", line 12, in forward\n    return self.relu(x)',
      },
      { key: 'pkg.torch.onnx.name_scopes', value: "['', 'layer1', 'layer1.0', 'relu']" },
    ];
    const g = decodeOnnxView(
      bytesOf(model({ node: [conv], input: [vi('x', [1])], output: [vi('y', [1])] }, 10)),
    );
    const n = g.nodes[0]!;
    expect(n.source).toEqual([
      { file: '/home/u/block.py', line: 12, func: 'forward' },
      { file: '/home/u/net.py', line: 40, func: 'forward' },
    ]);
    expect(n.scope).toEqual(['layer1', '0']);
  });
});
