import { describe, expect, it } from 'vitest';
import { analyzeGraph, hasScopes } from '../../../src/viewer/analysis/index.js';
import { residualNetwork } from './fixtures.js';

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
