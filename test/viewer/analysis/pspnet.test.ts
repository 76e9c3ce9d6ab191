/**
 * The analysis layer on real pdseg exports of PSPNet (made by the shared export fixture):
 * stage labels, source index, shape inference against the exporter's value_info, diff of
 * 2-class vs 19-class exports, and auto-group recovering the bottleneck blocks once scopes
 * are stripped.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeOnnxView } from '../../../src/viewer/adapters/onnx.js';
import {
  applyScopes,
  autoGroup,
  buildSourceIndex,
  diffGraphs,
  enclosingFunction,
  findRepeatedBlocks,
  functionRanges,
  inferShapes,
  nodesAtLine,
  nodesOfFunction,
} from '../../../src/viewer/analysis/index.js';
import type { ViewGraph } from '../../../src/viewer/analysis/view-types.js';
import { makePspnetFixture } from '../../fixtures/pspnet.js';
import { ROOT, tempDir } from '../../helpers.js';

const cleanups: Array<() => Promise<void>> = [];
async function exported(options: { numClasses?: number; layers?: number }): Promise<ViewGraph> {
  const { dir, cleanup } = await tempDir('pdseg-analysis-');
  cleanups.push(cleanup);
  const f = await makePspnetFixture({ dir, values: 'zeros', ...options });
  // A plain Uint8Array, as the page hands the worker.
  return decodeOnnxView(new Uint8Array(await readFile(f.modelPath)));
}

let psp50: ViewGraph;
let psp50classes19: ViewGraph;
let psp101: ViewGraph;
beforeAll(async () => {
  psp50 = await exported({});
  psp50classes19 = await exported({ numClasses: 19 });
  psp101 = await exported({ layers: 101 });
}, 120_000);
afterAll(async () => {
  for (const c of cleanups) await c();
});

describe('analysis of the exported PSPNet', () => {
  it('labels the ResNet50 stages 3/4/6/3', () => {
    const resnet = findRepeatedBlocks(psp50).repeated.find((r) => r.parent === 'resnet')!;
    expect(resnet.stages.map((s) => [s.members.length, s.label])).toEqual([
      [3, 'bottleneck (projection) + bottleneck (identity) × 2'],
      [4, 'bottleneck (projection) + bottleneck (identity) × 3'],
      [6, 'bottleneck (projection) + bottleneck (identity) × 5'],
      [3, 'bottleneck (projection) + bottleneck (identity) × 2'],
    ]);
    expect(resnet.stages[0]!.members).toEqual(['resnet/res2a', 'resnet/res2b', 'resnet/res2c']);
  });

  it('counts 23 blocks in ResNet101 res4', () => {
    const res4 = findRepeatedBlocks(psp101).repeated.find((r) => r.parent === 'resnet')!.stages[2]!;
    expect(res4.members).toHaveLength(23);
    expect(res4.members[0]).toBe('resnet/res4a');
    expect(res4.label).toBe('bottleneck (projection) + bottleneck (identity) × 22');
  });

  it('links pspModule to the four pyramid branches and the concat, and a conv to its builder line', async () => {
    const index = buildSourceIndex(psp50);
    const built = nodesOfFunction(index, 'pspModule').map((i) => psp50.nodes[i]!);
    expect([...new Set(built.map((n) => n.scope[0] ?? n.name))].sort()).toEqual([
      'concat',
      'psp1',
      'psp2',
      'psp3',
      'psp6',
      'psp_end',
    ]);
    const conv = psp50.nodes.find((n) => n.name === 'resnet/res2a/branch2a/conv2d')!;
    const frame = conv.source![0]!;
    const sameLine = nodesAtLine(index, frame.file, frame.line).map((i) => psp50.nodes[i]!.name);
    // The same builder line made branch2a of all 16 blocks (conv, batch norm, relu each).
    expect(sameLine.filter((n) => n.endsWith('branch2a/conv2d'))).toHaveLength(16);
    const text = await readFile(join(ROOT, frame.file), 'utf8');
    expect(enclosingFunction(functionRanges(text, frame.file), frame.line)?.name).toBe(frame.func);
  });

  it('infers every shape the exporter wrote into value_info', () => {
    const stripped: ViewGraph = {
      ...psp50,
      tensors: Object.fromEntries(
        Object.entries(psp50.tensors).map(([name, t]) => {
          const keep = t.initializer !== undefined || psp50.inputs.includes(name);
          const { shape: _drop, ...rest } = t;
          return [name, keep ? t : rest];
        }),
      ),
    };
    const { shapes, unsupported } = inferShapes(stripped);
    const expected = Object.entries(psp50.tensors).filter(([n, t]) => t.shape && !stripped.tensors[n]!.shape);
    expect(expected.length).toBeGreaterThan(200);
    for (const [name, t] of expected) expect(shapes[name], name).toEqual(t.shape);
    expect(unsupported).toEqual({});
  });

  it('diffs the 2-class and 19-class exports to the logit weights and biases', () => {
    const d = diffGraphs(psp50, psp50classes19);
    expect(d.added).toEqual([]);
    expect(d.removed).toEqual([]);
    expect(d.attributes).toEqual([]);
    expect(d.parameters.map((p) => [p.nameB, p.before.dims, p.after.dims])).toEqual([
      ['logit/weights', [2, 512, 1, 1], [19, 512, 1, 1]],
      ['logit/biases', [2], [19]],
    ]);
  });

  it('recovers the 16 bottleneck blocks by auto-group once scopes and names are gone', () => {
    const flat: ViewGraph = {
      ...psp50,
      nodes: psp50.nodes.map((n, i) => ({ ...n, name: `${n.opType.toLowerCase()}_${i}`, scope: [] })),
    };
    const { scopes } = autoGroup(flat);
    const byAuto = new Map<string, number[]>();
    scopes.forEach((s, i) => {
      byAuto.set(s.join('/'), [...(byAuto.get(s.join('/')) ?? []), i]);
    });
    const blockNames = [...new Set(psp50.nodes.map((n) => n.scope.slice(0, 2).join('/')))].filter((s) =>
      /^resnet\/res\d/.test(s),
    );
    expect(blockNames).toHaveLength(16);
    for (const block of blockNames) {
      const ids = psp50.nodes.flatMap((n, i) => (n.scope.slice(0, 2).join('/') === block ? [i] : []));
      const auto = scopes[ids[0]!]!.join('/');
      expect(auto, block).not.toBe('');
      expect(byAuto.get(auto), block).toEqual(ids);
    }
    // The synthetic stages read like the named ones.
    const stages = findRepeatedBlocks(applyScopes(flat, scopes)).repeated.flatMap((r) => r.stages);
    expect(stages.map((s) => [s.members.length, s.label])).toEqual([
      [3, 'bottleneck (projection) + bottleneck (identity) × 2'],
      [4, 'bottleneck (projection) + bottleneck (identity) × 3'],
      [6, 'bottleneck (projection) + bottleneck (identity) × 5'],
      [3, 'bottleneck (projection) + bottleneck (identity) × 2'],
    ]);
  });
});
