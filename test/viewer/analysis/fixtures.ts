/** Small generated view graphs for the analysis tests. */
import type {
  ViewAttrValue,
  ViewGraph,
  ViewNode,
  ViewTensor,
} from '../../../src/viewer/analysis/view-types.js';

/** Builds a {@link ViewGraph} node by node; tensors are created on first mention. */
export class GraphBuilder {
  readonly graph: ViewGraph;

  constructor(name = 'g') {
    this.graph = { format: 'onnx', name, nodes: [], tensors: {}, inputs: [], outputs: [], metadata: {} };
  }

  private tensor(name: string): ViewTensor {
    let t = this.graph.tensors[name];
    if (t === undefined) {
      t = { name, consumers: [] };
      this.graph.tensors[name] = t;
    }
    return t;
  }

  /** Declares a graph input with an optional shape. */
  input(name: string, shape?: Array<number | string | null>, dtype = 'float32'): string {
    const t = this.tensor(name);
    if (shape !== undefined) t.shape = shape;
    t.dtype = dtype;
    this.graph.inputs.push(name);
    return name;
  }

  /** Declares an initializer; `values` become its `head` (all of them, for small tensors). */
  init(name: string, dims: number[], values?: number[], dtype = 'float32'): string {
    const t = this.tensor(name);
    const count = dims.reduce((a, b) => a * b, 1);
    t.shape = dims;
    t.dtype = dtype;
    t.initializer = { dims, dtype, byteLength: count * 4, ...(values ? { head: values } : {}) };
    return name;
  }

  /** Marks graph outputs. */
  output(...names: string[]): void {
    this.graph.outputs.push(...names);
  }

  /** Adds a node; returns its first output name. */
  node(
    opType: string,
    inputs: string[],
    outputs: string[] | number = 1,
    attributes: Record<string, ViewAttrValue> = {},
    name?: string,
    extra: Partial<ViewNode> = {},
  ): string {
    const id = this.graph.nodes.length;
    const outs =
      typeof outputs === 'number' ? Array.from({ length: outputs }, (_, k) => `t${id}_${k}`) : outputs;
    const nodeName = name ?? `${opType.toLowerCase()}_${id}`;
    this.graph.nodes.push({
      id,
      name: nodeName,
      opType,
      scope: nodeName.split('/').slice(0, -1),
      attributes,
      inputs,
      outputs: outs,
      ...extra,
    });
    for (const i of inputs) if (i !== '') this.tensor(i).consumers.push(id);
    for (const o of outs) this.tensor(o).producer = id;
    return outs[0]!;
  }
}

/** Options of {@link residualNetwork}. */
export interface ResidualOptions {
  /** Number of residual blocks. */
  blocks: number;
  /** Blocks (0-based) that have a projection shortcut (conv on the skip path). */
  projection?: (k: number) => boolean;
  /** Prefix node names with `resnet/block{k}/` scopes instead of flat names. */
  scoped?: boolean;
  /** Channels of every block. */
  channels?: number;
}

/**
 * A stem (Conv, BN, Relu, MaxPool) then `blocks` bottleneck blocks; each block is
 * Conv-BN-Relu, Conv-BN-Relu, Conv-BN, [shortcut Conv-BN], Add, Relu. Returns the graph and
 * the node ids of each block, in order.
 */
export function residualNetwork(options: ResidualOptions): { graph: ViewGraph; blocks: number[][] } {
  const b = new GraphBuilder('resnet');
  const c = options.channels ?? 8;
  const x0 = b.input('image', ['N', 3, 32, 32]);
  const name = (scope: string, local: string) => (options.scoped ? `${scope}/${local}` : undefined);
  const convBn = (x: string, cin: number, cout: number, k: number, tag: string, scope: string) => {
    const w = b.init(`${tag}_weights`, [cout, cin, k, k]);
    const y = b.node(
      'Conv',
      [x, w],
      1,
      { kernel_shape: [k, k], pads: [0, 0, 0, 0], strides: [1, 1] },
      name(scope, `${tag}/conv`),
    );
    const bn = ['scale', 'offset', 'mean', 'variance'].map((p) => b.init(`${tag}_bn_${p}`, [cout]));
    return b.node('BatchNormalization', [y, ...bn], 1, { epsilon: 1e-5 }, name(scope, `${tag}/bn`));
  };
  let x = convBn(x0, 3, c, 3, 'conv1', 'resnet/stem');
  x = b.node('Relu', [x], 1, {}, name('resnet/stem', 'relu'));
  x = b.node('MaxPool', [x], 1, { kernel_shape: [2, 2], strides: [2, 2] }, name('resnet/stem', 'pool'));
  const blocks: number[][] = [];
  for (let k = 0; k < options.blocks; k++) {
    const first = b.graph.nodes.length;
    const scope = `resnet/block${k}`;
    let y = convBn(x, c, c, 1, `b${k}_2a`, scope);
    y = b.node('Relu', [y], 1, {}, name(scope, 'relu_a'));
    y = convBn(y, c, c, 3, `b${k}_2b`, scope);
    y = b.node('Relu', [y], 1, {}, name(scope, 'relu_b'));
    y = convBn(y, c, c, 1, `b${k}_2c`, scope);
    const short = options.projection?.(k) ? convBn(x, c, c, 1, `b${k}_1`, scope) : x;
    y = b.node('Add', [short, y], 1, {}, name(scope, 'add'));
    x = b.node('Relu', [y], 1, {}, name(scope, 'relu'));
    blocks.push(Array.from({ length: b.graph.nodes.length - first }, (_, i) => first + i));
  }
  b.output(x);
  return { graph: b.graph, blocks };
}

/**
 * A ResNet-style backbone with PaddleSeg's scope names: stem `resnet/conv1`, then stages
 * res2…res5 of `layers[i]` bottleneck blocks named `res2a, res2b, …` (or `res4a, res4b1, …`
 * past 6 blocks, as ResNet101 does); the first block of each stage has a projection
 * shortcut. Channels double per stage, so blocks of different stages differ in shapes.
 */
export function scopedResNet(layers: number[]): ViewGraph {
  const b = new GraphBuilder('resnet');
  let x = b.input('image', ['N', 3, 64, 64]);
  const convBn = (input: string, cin: number, cout: number, k: number, scope: string, attrs = {}) => {
    const w = b.init(`${scope.replaceAll('/', '_')}_weights`, [cout, cin, k, k]);
    const y = b.node('Conv', [input, w], 1, { kernel_shape: [k, k], ...attrs }, `${scope}/conv2d`, {
      source: [{ file: 'src/models/backbone/resnet.ts', line: 40, func: 'convBnLayer' }],
    });
    const bn = ['scale', 'offset', 'mean', 'variance'].map((p) => b.init(`${scope}_bn_${p}`, [cout]));
    return b.node('BatchNormalization', [y, ...bn], 1, { epsilon: 1e-5 }, `${scope}/batch_norm`);
  };
  x = convBn(x, 3, 16, 3, 'resnet/conv1');
  x = b.node('Relu', [x], 1, {}, 'resnet/conv1/relu');
  x = b.node('MaxPool', [x], 1, { kernel_shape: [3, 3], strides: [2, 2] }, 'resnet/pool2d');
  let cin = 16;
  layers.forEach((count, s) => {
    const c = 8 << s;
    for (let k = 0; k < count; k++) {
      const letter = count > 6 && k > 0 ? `b${k}` : String.fromCharCode(97 + k);
      const scope = `resnet/res${s + 2}${letter}`;
      let y = convBn(x, cin, c, 1, `${scope}/branch2a`);
      y = b.node('Relu', [y], 1, {}, `${scope}/branch2a/relu`);
      y = convBn(y, c, c, 3, `${scope}/branch2b`, { strides: k === 0 && s > 0 ? [2, 2] : [1, 1] });
      y = b.node('Relu', [y], 1, {}, `${scope}/branch2b/relu`);
      y = convBn(y, c, 4 * c, 1, `${scope}/branch2c`);
      const short = k === 0 ? convBn(x, cin, 4 * c, 1, `${scope}/branch1`) : x;
      y = b.node('Add', [short, y], 1, {}, `${scope}/add`);
      x = b.node('Relu', [y], 1, {}, `${scope}/relu`);
      cin = 4 * c;
    }
  });
  b.output(x);
  return b.graph;
}
