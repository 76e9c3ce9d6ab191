import { describe, expect, it } from 'vitest';
import { compareForView } from '../../src/viewer/compare.js';
import { foldRuns } from '../../src/viewer/fold-runs.js';
import { buildHierarchy, type Hierarchy } from '../../src/viewer/hierarchy.js';
import { mapGroups, mapNodes } from '../../src/viewer/pane-alignment.js';
import { prepareForView } from '../../src/viewer/prepare.js';
import { scopedResNet } from './analysis/fixtures.js';

/** Hierarchy as the page builds it: scopes, then identical runs folded. */
function pageHierarchy(layers: number[]) {
  const graph = prepareForView(scopedResNet(layers));
  const hier = buildHierarchy(graph);
  foldRuns(hier, graph.insight?.stages ?? []);
  return { graph, hier };
}

const scopeId = (h: Hierarchy, path: string) =>
  h.groups.find((g) => g.kind === 'scope' && g.path.join('/') === path)!.id;
const foldOf = (h: Hierarchy, path: string) => {
  const parent = h.groups[scopeId(h, path)]!.parent;
  expect(h.groups[parent]!.kind).toBe('fold');
  return parent;
};

describe('mapNodes', () => {
  it('maps aligned pairs both ways and leaves unpaired nodes at -1', () => {
    const [aToB, bToA] = mapNodes(
      [
        [0, 1],
        [2, 0],
      ],
      3,
      2,
    );
    expect([...aToB]).toEqual([1, -1, 0]);
    expect([...bToA]).toEqual([2, 0]);
  });
});

describe('mapGroups', () => {
  it('maps scopes by path and folds by their first member, across a stage of different length', () => {
    const a = pageHierarchy([2, 3]);
    const b = pageHierarchy([2, 4]);
    const c = compareForView(a.graph, b.graph, 'a.onnx');
    const [aToB, bToA] = mapNodes(c.pairs!, a.graph.nodes.length, b.graph.nodes.length);
    const ab = mapGroups(a.hier, b.hier, aToB);
    const ba = mapGroups(b.hier, a.hier, bToA);
    expect(ab[0]).toBe(0);
    for (const path of ['resnet', 'resnet/res2a', 'resnet/res3a', 'resnet/res3c', 'resnet/res3b/branch2b'])
      expect(ab[scopeId(a.hier, path)]).toBe(scopeId(b.hier, path));
    // res3b–res3c (× 2) in A is res3b–res3d (× 3) in B.
    expect(ab[foldOf(a.hier, 'resnet/res3b')]).toBe(foldOf(b.hier, 'resnet/res3b'));
    expect(ba[foldOf(b.hier, 'resnet/res3b')]).toBe(foldOf(a.hier, 'resnet/res3b'));
    // The block B added has no counterpart in A.
    expect(ba[scopeId(b.hier, 'resnet/res3d')]).toBe(-1);
    expect(ba[scopeId(b.hier, 'resnet/res3d/branch2a')]).toBe(-1);
  });
});
