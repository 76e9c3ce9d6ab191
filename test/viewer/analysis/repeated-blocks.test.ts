import { describe, expect, it } from 'vitest';
import { describeBlock } from '../../../src/viewer/analysis/block-label.js';
import { findRepeatedBlocks } from '../../../src/viewer/analysis/repeated-blocks.js';
import { GraphBuilder, residualNetwork, scopedResNet } from './fixtures.js';

describe('findRepeatedBlocks', () => {
  it('labels the stages of a ResNet50 backbone 3/4/6/3', () => {
    const { repeated } = findRepeatedBlocks(scopedResNet([3, 4, 6, 3]));
    const resnet = repeated.find((r) => r.parent === 'resnet')!;
    expect(resnet.stages.map((s) => s.label)).toEqual([
      'bottleneck (projection) + bottleneck (identity) × 2',
      'bottleneck (projection) + bottleneck (identity) × 3',
      'bottleneck (projection) + bottleneck (identity) × 5',
      'bottleneck (projection) + bottleneck (identity) × 2',
    ]);
    expect(resnet.stages.map((s) => s.members.length)).toEqual([3, 4, 6, 3]);
    expect(resnet.stages[0]!.members).toEqual(['resnet/res2a', 'resnet/res2b', 'resnet/res2c']);
  });

  it('counts ResNet101 res4 as 23 blocks, 22 identical after the first', () => {
    const { repeated } = findRepeatedBlocks(scopedResNet([3, 4, 23, 3]));
    const res4 = repeated.find((r) => r.parent === 'resnet')!.stages[2]!;
    expect(res4.members).toHaveLength(23);
    expect(res4.members.at(-1)).toBe('resnet/res4b22');
    expect(res4.label).toBe('bottleneck (projection) + bottleneck (identity) × 22');
  });

  it('lists blocks that differ only in stride as variants of one family', () => {
    const b = new GraphBuilder();
    let x = b.input('x', [1, 4, 16, 16]);
    const stride = [1, 2, 1];
    stride.forEach((s, k) => {
      const w = b.init(`w${k}`, [4, 4, 3, 3]);
      x = b.node('Conv', [x, w], 1, { strides: [s, s], pads: [1, 1, 1, 1] }, `blk${k}/conv`);
      x = b.node('Relu', [x], 1, {}, `blk${k}/relu`);
    });
    b.output(x);
    const { families, blocks } = findRepeatedBlocks(b.graph);
    expect(families).toHaveLength(1);
    expect(families[0]!.variants).toEqual([['blk0', 'blk2'], ['blk1']]);
    expect(families[0]!.differences).toEqual([
      { opType: 'Conv', node: 'blk0/conv', attribute: 'strides', values: ['[1,1]', '[2,2]'] },
    ]);
    expect(blocks.blk0!.label).toBe('Conv → Relu');
  });
});

describe('describeBlock', () => {
  it('names basic residual blocks and multi-branch concats', () => {
    const b = new GraphBuilder();
    const x = b.input('x', [1, 4, 8, 8]);
    const w = (k: number) => b.init(`w${k}`, [4, 4, 3, 3]);
    const y = b.node('Conv', [b.node('Relu', [b.node('Conv', [x, w(0)])]), w(1)]); // nodes 0-2
    b.node('Add', [y, x]); // 3
    expect(describeBlock(b.graph, [0, 1, 2, 3])).toBe('basic block (identity)');
    const branches = [0, 1, 2, 3].map((k) => b.node('AveragePool', [x], 1, { kernel_shape: [k + 1, k + 1] }));
    b.node('Concat', [x, ...branches], 1, { axis: 1 }); // nodes 4-8
    expect(describeBlock(b.graph, [4, 5, 6, 7, 8])).toBe('5-branch concat');
  });

  it('tells projection from identity in the generated network', () => {
    const { graph, blocks } = residualNetwork({ blocks: 2, projection: (k) => k === 0 });
    expect(describeBlock(graph, blocks[0]!)).toBe('bottleneck (projection)');
    expect(describeBlock(graph, blocks[1]!)).toBe('bottleneck (identity)');
  });
});
