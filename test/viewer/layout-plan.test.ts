import { describe, expect, it } from 'vitest';
import { decodeOnnxView } from '../../src/viewer/adapters/onnx.js';
import { groupEdges, IN_PORT, OUT_PORT, tensorElements, tensorLabel } from '../../src/viewer/group-edges.js';
import { buildHierarchy, type Hierarchy } from '../../src/viewer/hierarchy.js';
import { layoutGroup } from '../../src/viewer/layout-engine.js';
import { buildScene, type LayoutState, newLayoutState, planLayouts } from '../../src/viewer/layout-plan.js';
import type { ViewGraph } from '../../src/viewer/model.js';
import { bytesOf, nestedResidualModel } from './models.js';

/** Runs the plan/layout rounds synchronously, as the page does through its worker. */
function settle(h: Hierarchy, g: ViewGraph, expanded: Set<number>, state: LayoutState) {
  const laidOut: string[] = [];
  for (;;) {
    const { keys, requests } = planLayouts(h, g, expanded, state);
    if (requests.length === 0) return { keys, laidOut };
    for (const r of requests) {
      laidOut.push(r.key.split('|')[0]!);
      state.results.set(r.key, layoutGroup(r));
    }
  }
}

const byPath = (h: Hierarchy, p: string) => h.groups.find((x) => x.path.join('/') === p)!.id;

describe('group edges and layout plan', () => {
  const g = decodeOnnxView(bytesOf(nestedResidualModel(2, 2)));
  const h = buildHierarchy(g);

  it('connects a group’s children, with ports for tensors crossing its border', () => {
    const block = byPath(h, 'net/stage0/block1');
    const edges = groupEdges(h, g, block);
    const branch = `g${byPath(h, 'net/stage0/block1/branch')}`;
    const keys = edges.map((e) => `${e.from}>${e.to}`).sort();
    const add = g.nodes.findIndex((n) => n.name === 'net/stage0/block1/add');
    const relu = g.nodes.findIndex((n) => n.name === 'net/stage0/block1/relu');
    expect(keys).toEqual(
      [
        `${IN_PORT}>${branch}`,
        `${IN_PORT}>n${add}`,
        `${branch}>n${add}`,
        `n${add}>n${relu}`,
        `n${relu}>${OUT_PORT}`,
      ].sort(),
    );
    // Weights are not edges.
    expect(edges.flatMap((e) => e.tensors).some((t) => t.includes('/w'))).toBe(false);
  });

  it('labels edges with shape and dtype and sizes them by element count', () => {
    expect(tensorLabel({ name: 't', shape: ['N', 8, null, 4], dtype: 'float32', consumers: [] })).toBe(
      'N×8×?×4 float32',
    );
    expect(tensorElements({ name: 't', shape: ['N', 8, 4], consumers: [] })).toBe(32);
    expect(tensorElements({ name: 't', consumers: [] })).toBe(0);
  });

  it('lays out only the expanded group and its ancestors, reusing cached layouts', () => {
    const state = newLayoutState();
    const expanded = new Set<number>();
    const first = settle(h, g, expanded, state);
    expect(first.laidOut).toEqual(['0']);
    const net = byPath(h, 'net');
    const stage0 = byPath(h, 'net/stage0');
    expanded.add(net);
    expect(settle(h, g, expanded, state).laidOut).toEqual([String(net), '0']);
    expanded.add(stage0);
    expect(settle(h, g, expanded, state).laidOut).toEqual([String(stage0), String(net), '0']);
    // Collapsing and re-expanding hits the cache: nothing is laid out again.
    expanded.delete(stage0);
    expect(settle(h, g, expanded, state).laidOut).toEqual([]);
    expanded.add(stage0);
    const { keys, laidOut } = settle(h, g, expanded, state);
    expect(laidOut).toEqual([]);
    const scene = buildScene(h, g, expanded, state, keys);
    // The expanded frame of stage0 contains its two blocks; siblings do not overlap.
    const frame = scene.boxes[scene.index.get(`g${stage0}`)!]!;
    expect(frame.frame).toBe(true);
    for (const b of ['net/stage0/block0', 'net/stage0/block1']) {
      const box = scene.boxes[scene.index.get(`g${byPath(h, b)}`)!]!;
      expect(box.x).toBeGreaterThanOrEqual(frame.x);
      expect(box.y).toBeGreaterThanOrEqual(frame.y);
      expect(box.x + box.width).toBeLessThanOrEqual(frame.x + frame.width + 1e-6);
      expect(box.y + box.height).toBeLessThanOrEqual(frame.y + frame.height + 1e-6);
    }
    const top = scene.boxes.filter((b) => b.depth === 0);
    for (let i = 0; i < top.length; i++) {
      for (let j = i + 1; j < top.length; j++) {
        const a = top[i]!;
        const b = top[j]!;
        const overlap =
          a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
        expect(overlap).toBe(false);
      }
    }
    expect(scene.edges.length).toBeGreaterThan(0);
    expect(scene.edges.every((e) => e.points.length >= 2)).toBe(true);
  });
});
