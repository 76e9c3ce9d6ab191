import { describe, expect, it } from 'vitest';
import { computeDominance, dominates, immediateDominators } from '../../../src/viewer/analysis/dominators.js';
import { GraphBuilder, residualNetwork } from './fixtures.js';

/** Dominators by definition: `a` dominates `b` when `b` is unreachable from `root` without `a`. */
function bruteDominates(succs: number[][], root: number, a: number, b: number): boolean {
  if (a === b) return true;
  if (a === root) return true;
  const seen = new Set<number>([root]);
  const stack = [root];
  while (stack.length > 0) {
    const v = stack.pop()!;
    for (const s of succs[v]!) {
      if (s === a || seen.has(s)) continue;
      seen.add(s);
      stack.push(s);
    }
  }
  return !seen.has(b);
}

/** Deterministic pseudo-random numbers (mulberry32). */
function rng(seed: number): () => number {
  let t = seed;
  return () => {
    t = (t + 0x6d2b79f5) | 0;
    let r = Math.imul(t ^ (t >>> 15), 1 | t);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

describe('computeDominance', () => {
  it('finds the fork and the merge of a diamond', () => {
    const b = new GraphBuilder();
    const x = b.input('x', [1]);
    const a = b.node('Relu', [x]); // 0
    const l = b.node('Sigmoid', [a]); // 1
    const r = b.node('Tanh', [a]); // 2
    b.output(b.node('Add', [l, r])); // 3
    const d = computeDominance(b.graph);
    expect(Array.from(d.dom.idom.slice(0, 4))).toEqual([d.entry, 0, 0, 0]);
    expect(Array.from(d.postdom.idom.slice(0, 4))).toEqual([3, 3, 3, d.exit]);
    expect(dominates(d.dom, 0, 3)).toBe(true);
    expect(dominates(d.dom, 1, 3)).toBe(false);
    expect(dominates(d.postdom, 3, 1)).toBe(true);
  });

  it('roots several inputs and outputs at virtual entry and exit', () => {
    const b = new GraphBuilder();
    const p = b.node('Relu', [b.input('x1', [1])]); // 0
    const q = b.node('Relu', [b.input('x2', [1])]); // 1
    const s = b.node('Add', [p, q]); // 2
    b.output(b.node('Sigmoid', [s]), b.node('Tanh', [s])); // 3, 4
    const d = computeDominance(b.graph);
    expect(d.dom.idom[2]).toBe(d.entry);
    expect(d.dom.idom[3]).toBe(2);
    expect(d.postdom.idom[2]).toBe(d.exit);
    expect(d.postdom.idom[0]).toBe(2);
  });

  it('leaves constant-only nodes out of both trees', () => {
    const b = new GraphBuilder();
    const c = b.node('Constant', [], 1, {
      value: { tensor: { dims: [1], dtype: 'float32', byteLength: 4 } },
    }); // 0
    const x = b.node('Relu', [b.input('x', [1])]); // 1
    b.output(b.node('Add', [x, c])); // 2
    const d = computeDominance(b.graph);
    expect(d.dom.idom[0]).toBe(-1);
    expect(d.dom.idom[2]).toBe(1);
    expect(d.postdom.idom[1]).toBe(2);
  });

  it('gives each residual merge its fork as immediate dominator', () => {
    const { graph, blocks } = residualNetwork({ blocks: 3, projection: (k) => k === 0 });
    const d = computeDominance(graph);
    for (let k = 1; k < blocks.length; k++) {
      const fork = blocks[k - 1]!.at(-1)!; // the previous block's final Relu
      const add = blocks[k]!.at(-2)!;
      expect(graph.nodes[add]!.opType).toBe('Add');
      expect(d.dom.idom[add]).toBe(fork);
      expect(d.postdom.idom[fork]).toBe(add);
    }
  });

  it('handles a 200,000-node chain without deep recursion', () => {
    const b = new GraphBuilder();
    let x = b.input('x', [1]);
    for (let i = 0; i < 200_000; i++) x = b.node('Relu', [x]);
    b.output(x);
    const d = computeDominance(b.graph);
    expect(d.dom.idom[199_999]).toBe(199_998);
    expect(d.postdom.idom[0]).toBe(1);
    expect(dominates(d.dom, 0, 199_999)).toBe(true);
  });

  it('agrees with the definition of dominance on random DAGs', () => {
    const random = rng(7);
    for (let trial = 0; trial < 20; trial++) {
      const n = 12 + Math.floor(random() * 10);
      const succs: number[][] = Array.from({ length: n }, () => []);
      const preds: number[][] = Array.from({ length: n }, () => []);
      for (let v = 1; v < n; v++) {
        const k = 1 + Math.floor(random() * 3);
        for (let j = 0; j < k; j++) {
          const u = Math.floor(random() * v);
          if (!succs[u]!.includes(v)) {
            succs[u]!.push(v);
            preds[v]!.push(u);
          }
        }
      }
      const idom = immediateDominators(succs, preds, 0);
      for (let v = 1; v < n; v++) {
        // idom(v) is the dominator of v that every other strict dominator dominates.
        const strict = Array.from({ length: n }, (_, a) => a).filter(
          (a) => a !== v && bruteDominates(succs, 0, a, v),
        );
        const expected = strict.find((a) => strict.every((o) => bruteDominates(succs, 0, o, a)));
        expect(idom[v], `trial ${trial} vertex ${v}`).toBe(expected);
      }
    }
  });
});
