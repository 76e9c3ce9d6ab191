import { describe, expect, it } from 'vitest';
import { applyScopes, autoGroup } from '../../../src/viewer/analysis/auto-group.js';
import { findRegions } from '../../../src/viewer/analysis/regions.js';
import { GraphBuilder, residualNetwork } from './fixtures.js';

/** Node sets that share one exact scope path, keyed by the path. */
function groupsByScope(scopes: string[][]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  scopes.forEach((scope, i) => {
    const key = scope.join('/');
    out.set(key, [...(out.get(key) ?? []), i]);
  });
  return out;
}

describe('findRegions', () => {
  it('finds one region per residual block, from after the fork through the Add', () => {
    const { graph, blocks } = residualNetwork({ blocks: 3, projection: (k) => k === 0 });
    const { regions } = findRegions(graph);
    expect(regions).toHaveLength(3);
    const sorted = [...regions].sort((a, b) => a.exit - b.exit);
    sorted.forEach((region, k) => {
      expect(region.members).toEqual(blocks[k]!.slice(0, -1)); // all but the block's final Relu
      expect(graph.nodes[region.exit]!.opType).toBe('Add');
      expect(region.parent).toBe(-1);
    });
  });

  it('nests a branch inside a larger region', () => {
    const b = new GraphBuilder();
    const x = b.node('Relu', [b.input('x', [1])]); // 0: outer fork
    const y = b.node('Relu', [x]); // 1: inner fork
    const p = b.node('Sigmoid', [y]); // 2
    const q = b.node('Tanh', [y]); // 3
    const m = b.node('Add', [p, q]); // 4: inner merge
    const z = b.node('Abs', [x]); // 5
    b.output(b.node('Concat', [m, z], 1, { axis: 1 })); // 6: outer merge
    const { regions, innermost } = findRegions(b.graph);
    expect(regions.map((r) => [r.entry, r.exit, r.members])).toEqual([
      [1, 4, [2, 3, 4]],
      [0, 6, [1, 2, 3, 4, 5, 6]],
    ]);
    expect(regions[0]!.parent).toBe(1);
    expect(Array.from(innermost)).toEqual([-1, 1, 0, 0, 0, 1, 1]);
  });
});

describe('autoGroup', () => {
  it('recovers every block of a flat residual network as one group', () => {
    const { graph, blocks } = residualNetwork({ blocks: 12, projection: (k) => k === 0 || k === 5 });
    const { scopes, groups } = autoGroup(graph);
    const byScope = groupsByScope(scopes);
    for (const block of blocks) {
      const key = scopes[block[0]!]!.join('/');
      expect(key).not.toBe('');
      expect(byScope.get(key)).toEqual(block);
    }
    // Stem nodes stay at the top; blocks 0–4 and 5–11 form two stages.
    expect(scopes.slice(0, 4)).toEqual([[], [], [], []]);
    expect(groups.filter((g) => g.kind === 'stage').map((g) => [g.path.join('/'), g.childCount])).toEqual([
      ['stage1', 5],
      ['stage2', 7],
    ]);
    expect(scopes[blocks[6]![0]!]).toEqual(['stage2', 'block2']);
  });

  it('gives identical blocks equal hashes and a projection block another', () => {
    const { graph } = residualNetwork({ blocks: 4, projection: (k) => k === 0 });
    const blocks = autoGroup(graph).groups.filter((g) => g.kind === 'block');
    expect(blocks).toHaveLength(4);
    expect(new Set(blocks.slice(1).map((g) => g.hash)).size).toBe(1);
    expect(blocks[0]!.hash).not.toBe(blocks[1]!.hash);
  });

  it('splits a long chain into ordered sections of at most maxChildren', () => {
    const b = new GraphBuilder();
    let x = b.input('x', [1]);
    for (let i = 0; i < 1000; i++) x = b.node('Relu', [x]);
    b.output(x);
    const { scopes, groups } = autoGroup(b.graph, { maxChildren: 30 });
    for (const g of groups) expect(g.childCount).toBeLessThanOrEqual(30);
    // 1000 nodes → 34 sections → 2 sections of sections.
    expect(groups.filter((g) => g.path.length === 1).map((g) => g.childCount)).toEqual([30, 4]);
    expect(scopes[0]).toEqual(['section1', 'section1']);
    expect(scopes[999]).toEqual(['section2', 'section4']);
    expect(groupsByScope(scopes).get('section2/section4')).toHaveLength(1000 - 33 * 30);
  });

  it('puts a Constant node in the group of the node it feeds', () => {
    const b = new GraphBuilder();
    const x = b.node('Relu', [b.input('x', [1])]); // 0
    const c = b.node('Constant', [], 1, { value: 1 }); // 1
    const p = b.node('Mul', [x, c]); // 2
    const q = b.node('Tanh', [x]); // 3
    b.output(b.node('Add', [p, q])); // 4
    const { scopes } = autoGroup(b.graph);
    expect(scopes).toEqual([[], ['block1'], ['block1'], ['block1'], ['block1']]);
    const scoped = applyScopes(b.graph, scopes);
    expect(scoped.nodes[2]!.scope).toEqual(['block1']);
    expect(b.graph.nodes[2]!.scope).toEqual([]);
  });
});
