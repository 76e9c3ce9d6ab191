/**
 * Small ONNX models generated for the viewer tests (and the XSS/corrupt cases of the browser
 * tests), written with the project's encoder.
 */
import { encodeModel } from '../../src/onnx/encode.js';
import {
  type AttributeProto,
  AttributeType,
  type GraphProto,
  type ModelProto,
  type NodeProto,
  TensorDataType,
  type TensorProto,
  type ValueInfoProto,
} from '../../src/onnx/types.js';

/** A float tensor value-info with a shape. */
export function vi(
  name: string,
  dims: Array<number | string>,
  elemType: number = TensorDataType.FLOAT,
): ValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

/** A node with defaults. */
export function node(
  opType: string,
  name: string,
  input: string[],
  output: string[],
  attribute: AttributeProto[] = [],
  docString = '',
): NodeProto {
  return { opType, name, input, output, attribute, domain: '', docString };
}

/** A float32 initializer stored in raw_data. */
export function rawFloat(name: string, dims: number[], values: number[]): TensorProto {
  const data = new Float32Array(values);
  return { name, dims, dataType: TensorDataType.FLOAT, rawData: new Uint8Array(data.buffer) };
}

/** Wraps a graph into a model (IR 8, opset 17 unless told). */
export function model(
  graph: Partial<GraphProto> & { node: NodeProto[] },
  irVersion = 8,
  opset = 17,
): ModelProto {
  return {
    irVersion,
    opsetImport: [{ domain: '', version: opset }],
    producerName: 'pdseg-test',
    producerVersion: '1',
    domain: '',
    modelVersion: 1,
    docString: '',
    graph: { name: 'g', initializer: [], input: [], output: [], valueInfo: [], docString: '', ...graph },
    metadataProps: [],
    functions: [],
  };
}

/**
 * A chain of `count` Relu nodes; `nameOf(i)` names node i (its scope path). Every `skip`-th node
 * also reads the tensor two steps back through an Add (a residual).
 */
export function chainModel(count: number, nameOf: (i: number) => string, skip = 0): ModelProto {
  const nodes: NodeProto[] = [];
  let prev = 'x';
  for (let i = 0; i < count; i++) {
    const out = `t${i}`;
    if (skip > 0 && i >= 2 && i % skip === 0) nodes.push(node('Add', nameOf(i), [prev, `t${i - 2}`], [out]));
    else nodes.push(node('Relu', nameOf(i), [prev], [out]));
    prev = out;
  }
  return model({ node: nodes, input: [vi('x', ['N', 8, 16, 16])], output: [vi(prev, ['N', 8, 16, 16])] });
}

/** Nested residual blocks: `stages` × `blocks` × 3 convs/relus/adds with scope paths. */
export function nestedResidualModel(stages: number, blocks: number): ModelProto {
  const nodes: NodeProto[] = [];
  const inits: TensorProto[] = [];
  let prev = 'x';
  for (let s = 0; s < stages; s++) {
    for (let b = 0; b < blocks; b++) {
      const scope = `net/stage${s}/block${b}`;
      const entry = prev;
      for (const [j, op] of ['Conv', 'Relu', 'Conv'].entries()) {
        const out = `${scope}/${op}_${j}.out`;
        const inputs = [prev];
        if (op === 'Conv') {
          const w = `${scope}/w${j}`;
          inits.push({ name: w, dims: [8, 8, 3, 3], dataType: TensorDataType.FLOAT });
          inputs.push(w);
        }
        nodes.push(node(op, `${scope}/branch/${op.toLowerCase()}${j}`, inputs, [out]));
        prev = out;
      }
      const sum = `${scope}/add.out`;
      nodes.push(node('Add', `${scope}/add`, [prev, entry], [sum]));
      nodes.push(node('Relu', `${scope}/relu`, [sum], [`${scope}/relu.out`]));
      prev = `${scope}/relu.out`;
    }
  }
  return model({
    node: nodes,
    initializer: inits,
    input: [vi('x', ['N', 8, 32, 32])],
    output: [vi(prev, ['N', 8, 32, 32])],
  });
}

/** A model whose names carry HTML/script payloads. */
export function xssModel(): ModelProto {
  const evil = '<img src=x onerror="window.__xss=1">';
  const script = '<script>window.__xss=2</script>';
  const m = model({
    name: `${script}graph`,
    node: [
      node(
        'Relu',
        `${script}/${evil}`,
        ['x"><svg onload=window.__xss=3>'],
        ['y</script><script>window.__xss=4</script>'],
      ),
      node(
        'Sigmoid',
        `${evil}/sig`,
        ['y</script><script>window.__xss=4</script>'],
        ['z'],
        [{ name: `${evil}`, type: AttributeType.STRING, s: new TextEncoder().encode(script) }],
        `${script}:1 ${evil}`,
      ),
    ],
    input: [vi('x"><svg onload=window.__xss=3>', [1, 3])],
    output: [vi('z', [1, 3])],
  });
  m.metadataProps.push({ key: evil, value: script });
  return m;
}

/** Encodes a model to bytes. */
export function bytesOf(m: ModelProto): Uint8Array {
  return encodeModel(m);
}
