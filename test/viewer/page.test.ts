import { describe, expect, it } from 'vitest';
import { AttributeType } from '../../src/onnx/types.js';
import { decodeOnnxView } from '../../src/viewer/adapters/onnx.js';
import { buildHierarchy } from '../../src/viewer/hierarchy.js';
import { escapeHtml, viewerPageHtml, viewerStandaloneHtml } from '../../src/viewer/page.js';
import { searchGraph } from '../../src/viewer/search-index.js';
import { inlineSubgraphs } from '../../src/viewer/subgraphs.js';
import { bytesOf, chainModel, model, node, vi, xssModel } from './models.js';

describe('viewer page HTML', () => {
  it('has no inline script and escapes its options', () => {
    const html = viewerPageHtml({ modelUrl: '/m/"x<y>', title: '<b>t</b>', assetBase: '/assets/' });
    const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBe(1);
    expect(scripts[0]![1]).toContain('src="/assets/viewer.js"');
    expect(scripts[0]![2]).toBe('');
    expect(html).toContain('data-model-url="/m/&quot;x&lt;y&gt;"');
    expect(html).toContain('<title>&lt;b&gt;t&lt;/b&gt;</title>');
    expect(html).not.toMatch(/\son\w+=/);
  });

  it('embeds a model whose strings try to close the script element without breaking out', async () => {
    const g = decodeOnnxView(bytesOf(xssModel()));
    const html = await viewerStandaloneHtml({ graph: g, fileName: '<script>.onnx' });
    const json = /<script type="application\/json" id="pdseg-model">([\s\S]*?)<\/script>/.exec(html)![1]!;
    expect(json).not.toContain('<');
    expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(g)));
    expect(html).toContain('data-model-name="&lt;script&gt;.onnx"');
    expect(escapeHtml(`<a href='x'>&</a>`)).toBe('&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;');
  });
});

describe('search', () => {
  it('ranks exact and prefix matches over substrings, and finds op types and tensors', () => {
    const g = decodeOnnxView(
      bytesOf(chainModel(6, (i) => ['a/conv', 'a/conv_bn', 'b/xconv', 'c/relu', 'd/Add', 'e/end'][i]!, 4)),
    );
    expect(searchGraph(g, 'conv').map((h) => h.text)).toEqual(['a/conv', 'a/conv_bn', 'b/xconv']);
    // d/Add is an Add op: the exact op-type match is its best field.
    expect(searchGraph(g, 'ADD').map((h) => [h.field, h.node])).toEqual([['op', 4]]);
    // Exact op-type matches rank above names that merely have a segment starting with the query;
    // each node is listed once, under its best field (c/relu is an exact Relu too).
    expect(searchGraph(g, 'relu').map((h) => `${h.field}:${h.node}`)).toEqual([
      'op:0',
      'op:1',
      'op:2',
      'op:3',
      'op:5',
    ]);
    expect(searchGraph(g, 't3').map((h) => [h.field, h.node])).toEqual([['tensor', 3]]);
    expect(searchGraph(g, '  ')).toEqual([]);
  });
});

describe('subgraphs as groups', () => {
  it('puts an If node and its branches in one expandable group, linked to outer tensors', () => {
    const body = (name: string) => ({
      name,
      node: [node('Relu', 'r', ['x'], ['y'])],
      initializer: [],
      input: [],
      output: [vi('y', [1])],
      valueInfo: [],
      docString: '',
    });
    const m = model({
      node: [
        node('Relu', 'pre', ['x0'], ['x']),
        node(
          'If',
          'cond/if',
          ['flag'],
          ['y'],
          [
            { name: 'then_branch', type: AttributeType.GRAPH, g: body('then') },
            { name: 'else_branch', type: AttributeType.GRAPH, g: body('else') },
          ],
        ),
      ],
      input: [vi('x0', [1]), vi('flag', [])],
      output: [vi('y', [1])],
    });
    const g = inlineSubgraphs(decodeOnnxView(bytesOf(m)));
    expect(g.nodes.map((n) => [n.name, n.scope.join('/')])).toEqual([
      ['pre', ''],
      ['cond/if', 'cond/if'],
      ['cond/if/then_branch/r', 'cond/if/then_branch'],
      ['cond/if/else_branch/r', 'cond/if/else_branch'],
    ]);
    // Both bodies define 'y', which the outer If also outputs: body tensors are renamed.
    expect(g.nodes[2]!.outputs).toEqual(['cond/if/then_branch/y']);
    expect(g.tensors.x!.consumers).toEqual([2, 3]);
    expect(g.tensors.y!.producer).toBe(1);
    const h = buildHierarchy(g);
    expect(h.groups.map((x) => x.path.join('/'))).toEqual([
      '',
      'cond',
      'cond/if',
      'cond/if/then_branch',
      'cond/if/else_branch',
    ]);
  });
});
