import { describe, expect, it } from 'vitest';
import { analyzeGraph, hasScopes } from '../../../src/viewer/analysis/index.js';
import { GraphBuilder, residualNetwork } from './fixtures.js';

describe('analyzeGraph', () => {
  it('auto-groups a flat graph and labels its repeated blocks', () => {
    const { graph } = residualNetwork({ blocks: 4, projection: (k) => k === 0 });
    expect(hasScopes(graph)).toBe(false);
    const insight = analyzeGraph(graph);
    expect(insight.autoGroup?.groups.filter((g) => g.kind === 'block')).toHaveLength(4);
    expect(insight.repeated.repeated.map((r) => [r.parent, r.stages.map((s) => s.label)])).toEqual([
      ['stage1', ['bottleneck (projection) + bottleneck (identity) × 3']],
    ]);
    // Every tensor of the generated network gets a shape from the input's.
    const missing = Object.entries(graph.tensors).filter(([n, t]) => !t.shape && !insight.shapes.shapes[n]);
    expect(missing).toEqual([]);
    expect(JSON.parse(JSON.stringify(insight))).toEqual(insight);
  });

  it('keeps the scopes of a scoped graph', () => {
    const { graph } = residualNetwork({ blocks: 3, scoped: true, projection: (k) => k === 0 });
    const insight = analyzeGraph(graph);
    expect(insight.autoGroup).toBeUndefined();
    const resnet = insight.repeated.repeated.find((r) => r.parent === 'resnet');
    expect(resnet?.stages.map((s) => s.members)).toEqual([
      ['resnet/block0', 'resnet/block1', 'resnet/block2'],
    ]);
  });
});

describe('analyzeGraph on odd graphs', () => {
  it('handles an empty graph, a cycle, and random DAGs without throwing', () => {
    const empty = new GraphBuilder().graph;
    expect(analyzeGraph(empty).autoGroup?.groups).toEqual([]);

    const cyclic = new GraphBuilder();
    cyclic.node('Add', [cyclic.input('x', [1]), 'loop'], ['a']);
    cyclic.node('Relu', ['a'], ['loop']);
    const insight = analyzeGraph(cyclic.graph);
    expect(insight.autoGroup?.scopes).toEqual([[], []]);
    expect(insight.shapes.shapes.a).toBeUndefined(); // its second input is never known

    let seed = 3;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (let trial = 0; trial < 20; trial++) {
      const b = new GraphBuilder();
      const values = [b.input('x', [1, 4])];
      const n = 5 + Math.floor(random() * 60);
      for (let i = 0; i < n; i++) {
        const k = 1 + Math.floor(random() * 3);
        const inputs = Array.from({ length: k }, () => values[Math.floor(random() * values.length)]!);
        values.push(b.node(k === 1 ? 'Relu' : 'Add', inputs));
      }
      b.output(values.at(-1)!);
      const result = analyzeGraph(b.graph, { maxChildren: 8 });
      for (const g of result.autoGroup!.groups) expect(g.childCount).toBeLessThanOrEqual(8);
      const top = new Set(result.autoGroup!.scopes.map((s, i) => (s.length > 0 ? `g${s[0]}` : `n${i}`)));
      expect(top.size).toBeLessThanOrEqual(8);
      // Broadcasting [1, 4] with itself keeps [1, 4] everywhere.
      for (const v of values.slice(1)) expect(result.shapes.shapes[v]).toEqual([1, 4]);
    }
  });
});
