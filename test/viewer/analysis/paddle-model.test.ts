/**
 * Auto-group and the source index on a real Paddle 1.6 program (shared test data:
 * Paddle.js's gesture_rec `__model__`, a MobileNetV2-style network with flat names such as
 * `conv2d_0.tmp_0` and no name scopes, but with `op_callstack` frames).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodePaddleView } from '../../../src/viewer/adapters/paddle.js';
import {
  applyScopes,
  autoGroup,
  buildSourceIndex,
  findRepeatedBlocks,
} from '../../../src/viewer/analysis/index.js';
import { SHARED } from '../../helpers.js';

const MODEL = join(SHARED, 'testdata', 'paddle', 'v1-combined-paddlejs-gesture_rec', '__model__');

describe('a real Paddle program without scopes', () => {
  it('groups each inverted residual unit on its own', async () => {
    const graph = decodePaddleView(new Uint8Array(await readFile(MODEL)));
    expect(graph.nodes.every((n) => n.scope.length === 0)).toBe(true);
    const { scopes } = autoGroup(graph);
    const units = new Map<string, string[]>();
    graph.nodes.forEach((n, i) => {
      const key = scopes[i]!.join('/');
      units.set(key, [...(units.get(key) ?? []), n.opType]);
    });
    // MobileNetV2's residual unit: expand 1×1, depthwise 3×3, linear project 1×1, add.
    const unit =
      'conv2d batch_norm relu6 depthwise_conv2d batch_norm relu6 conv2d batch_norm elementwise_add';
    const residual = [...units.values()].filter(
      (ops) => ops.includes('depthwise_conv2d') && ops.includes('elementwise_add'),
    );
    expect(residual.map((ops) => ops.join(' '))).toEqual(new Array(10).fill(unit));
    const labels = findRepeatedBlocks(applyScopes(graph, scopes)).repeated.flatMap((r) =>
      r.stages.map((s) => s.label),
    );
    expect(labels).toContain('bottleneck (identity) × 3');
  });

  it('indexes the op_callstack frames by function', async () => {
    const graph = decodePaddleView(new Uint8Array(await readFile(MODEL)));
    const index = buildSourceIndex(graph);
    const built = index.functions.inverted_residual_unit ?? [];
    expect(built.length).toBeGreaterThan(0);
    expect(new Set(built.map((i) => graph.nodes[i]!.opType))).toEqual(
      new Set(['conv2d', 'batch_norm', 'relu6', 'depthwise_conv2d', 'elementwise_add']),
    );
  });
});
