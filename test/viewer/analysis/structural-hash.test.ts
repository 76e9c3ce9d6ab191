import { describe, expect, it } from 'vitest';
import { hashString, structuralHash } from '../../../src/viewer/analysis/structural-hash.js';
import { GraphBuilder } from './fixtures.js';

/** conv → relu → conv with a skip Add; names and node order are parameters. */
function block(
  b: GraphBuilder,
  x: string,
  tag: string,
  options: { stride?: number; channels?: number; reversed?: boolean } = {},
): number[] {
  const c = options.channels ?? 4;
  const first = b.graph.nodes.length;
  const w1 = b.init(`${tag}_w1`, [c, c, 3, 3]);
  const w2 = b.init(`${tag}_w2`, [c, c, 3, 3]);
  const s = options.stride ?? 1;
  const conv = (input: string, w: string, name: string) =>
    b.node(
      'Conv',
      [input, w],
      [`${tag}_${name}_out`],
      { strides: [s, s], pads: [1, 1, 1, 1] },
      `${tag}/${name}`,
    );
  if (options.reversed) {
    // Same structure, the Relu listed before its producer and named differently.
    b.node('Relu', [`${tag}_c1_out`], [`${tag}_r_out`], {}, `${tag}/zz_relu`);
  }
  const y = conv(x, w1, 'c1');
  const r = options.reversed ? `${tag}_r_out` : b.node('Relu', [y], [`${tag}_r_out`], {}, `${tag}/relu`);
  const z = conv(r, w2, 'c2');
  b.node('Add', [x, z], [`${tag}_sum`], {}, `${tag}/add`);
  return Array.from({ length: b.graph.nodes.length - first }, (_, i) => first + i);
}

describe('structuralHash', () => {
  it('is equal for identical blocks whatever their names and node order', () => {
    const b = new GraphBuilder();
    const x = b.input('x', [1, 4, 8, 8]);
    const one = block(b, x, 'first');
    const two = block(b, 'first_sum', 'second_block_with_long_name', { reversed: true });
    expect(structuralHash(b.graph, one)).toBe(structuralHash(b.graph, two));
  });

  it('differs with a stride, a parameter shape, or an edge', () => {
    const b = new GraphBuilder();
    const x = b.input('x', [1, 4, 8, 8]);
    const base = structuralHash(b.graph, block(b, x, 'a'));
    expect(structuralHash(b.graph, block(b, x, 'b', { stride: 2 }))).not.toBe(base);
    expect(structuralHash(b.graph, block(b, x, 'c', { channels: 8 }))).not.toBe(base);
    // Same nodes, but the Add takes the first conv's output instead of the block input.
    const d = block(b, x, 'd');
    b.graph.nodes[d[3]!]!.inputs = ['d_c1_out', 'd_c2_out'];
    expect(structuralHash(b.graph, d)).not.toBe(base);
  });

  it('ignores attribute values when asked (families)', () => {
    const b = new GraphBuilder();
    const x = b.input('x', [1, 4, 8, 8]);
    const one = block(b, x, 'a');
    const two = block(b, x, 'b', { stride: 2 });
    expect(structuralHash(b.graph, one, { attributeValues: false })).toBe(
      structuralHash(b.graph, two, { attributeValues: false }),
    );
  });

  it('ignores Paddle provenance attributes', () => {
    const b = new GraphBuilder();
    const x = b.input('x', [1]);
    b.node('Relu', [x], 1, { op_namescope: '/a/', op_callstack: ['File "a.py", line 1'] });
    b.node('Relu', [x], 1, { op_namescope: '/b/', op_callstack: ['File "b.py", line 9'] });
    expect(structuralHash(b.graph, [0])).toBe(structuralHash(b.graph, [1]));
  });

  it('hashes strings to 14 hex digits, deterministically', () => {
    expect(hashString('bottleneck')).toMatch(/^[0-9a-f]{14}$/);
    expect(hashString('bottleneck')).toBe(hashString('bottleneck'));
    expect(hashString('bottleneck')).not.toBe(hashString('bottleneck '));
  });
});
