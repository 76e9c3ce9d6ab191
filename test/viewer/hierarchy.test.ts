import { describe, expect, it } from 'vitest';
import { decodeOnnxView } from '../../src/viewer/adapters/onnx.js';
import {
  ancestry,
  buildHierarchy,
  childOf,
  groupsToReveal,
  opsUnder,
  outline,
} from '../../src/viewer/hierarchy.js';
import { bytesOf, chainModel, nestedResidualModel } from './models.js';

describe('hierarchy', () => {
  it('groups nodes by scope in order of first appearance, inputs first and outputs last', () => {
    const names = [
      'resnet/a/conv',
      'resnet/a/relu',
      'resnet/b/conv',
      'psp1/pool',
      'psp1/conv',
      'logit/conv',
      'Softmax_0',
    ];
    const g = decodeOnnxView(bytesOf(chainModel(names.length, (i) => names[i]!)));
    const h = buildHierarchy(g);
    expect(outline(h, g)).toEqual(['input:x', '[resnet]', '[psp1]', '[logit]', 'Relu', 'output:t6']);
    const resnet = h.groups.find((x) => x.name === 'resnet')!;
    expect(outline(h, g, resnet.id)).toEqual(['[a]', '[b]']);
    expect(resnet.opCount).toBe(3);
    expect(h.groups[0]!.opCount).toBe(7);
    const a = h.groups.find((x) => x.name === 'a')!;
    expect(a.path).toEqual(['resnet', 'a']);
    expect(groupsToReveal(h, 1)).toEqual([resnet.id, a.id]);
    expect(childOf(h, 0, { kind: 'node', index: 1 })).toEqual({ kind: 'group', index: resnet.id });
    expect(childOf(h, a.id, { kind: 'node', index: 2 })).toBeUndefined();
    expect(opsUnder(h, resnet.id).sort()).toEqual([0, 1, 2]);
  });

  it('splits a group with too many children into ordered sections, repeatedly', () => {
    const g = decodeOnnxView(bytesOf(chainModel(103, (i) => `Relu_${i}`)));
    const h = buildHierarchy(g, { sectionLimit: 10 });
    const root = h.groups[0]!;
    // 1 input + 103 nodes + 1 output = 105 items → 11 sections → 2 sections of sections.
    expect(root.children.length).toBeLessThanOrEqual(10);
    for (const grp of h.groups) expect(grp.children.length).toBeLessThanOrEqual(10);
    const top = root.children.map((c) => h.groups[c.index]!);
    expect(top.every((s) => s.kind === 'section')).toBe(true);
    expect(top.map((s) => s.opCount).reduce((a, b) => a + b, 0)).toBe(103);
    // Order is kept: walking the leaves left to right gives nodes 0..102.
    const leaves: number[] = [];
    const walk = [0];
    while (walk.length) {
      const grp = h.groups[walk.pop()!]!;
      for (let i = grp.children.length - 1; i >= 0; i--) {
        const c = grp.children[i]!;
        if (c.kind === 'group') walk.push(c.index);
      }
      for (const c of grp.children) if (c.kind === 'node') leaves.push(c.index);
    }
    expect(leaves).toEqual([...Array(103).keys()]);
    expect(h.groups.find((x) => x.kind === 'section')!.name).toMatch(/^ops 1–\d+$/);
  });

  it('handles scope depth in the thousands and 50k flat nodes without recursion', () => {
    const deep = decodeOnnxView(
      bytesOf(chainModel(3, (i) => `${Array.from({ length: 3000 }, (_, d) => `s${d}`).join('/')}/op${i}`)),
    );
    const h = buildHierarchy(deep);
    expect(ancestry(h, h.nodeGroup[0]!).length).toBe(3001);
    const flat = decodeOnnxView(bytesOf(chainModel(50_000, (i) => `n${i}`)));
    const hf = buildHierarchy(flat);
    expect(hf.groups[0]!.opCount).toBe(50_000);
    expect(Math.max(...hf.groups.map((x) => x.children.length))).toBeLessThanOrEqual(300);
  });

  it('nests residual blocks stage → block → branch', () => {
    const g = decodeOnnxView(bytesOf(nestedResidualModel(2, 3)));
    const h = buildHierarchy(g);
    expect(outline(h, g)).toEqual(['input:x', '[net]', `output:${g.outputs[0]}`]);
    const stage = h.groups.find((x) => x.name === 'stage1')!;
    expect(outline(h, g, stage.id)).toEqual(['[block0]', '[block1]', '[block2]']);
    const block = h.groups.find((x) => x.path.join('/') === 'net/stage0/block0')!;
    expect(outline(h, g, block.id)).toEqual(['[branch]', 'Add', 'Relu']);
  });
});
