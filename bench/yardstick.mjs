// Shared by the benches: the FLOP count of an exported graph and the single-op models
// whose GFLOP/s are the yardsticks a network's GFLOP/s is compared with in the same run.
// Imports from dist/: run `npx tsc -p tsconfig.json` first.
const dist = (p) => new URL(`../dist/${p}`, import.meta.url).href;
const { encodeModel } = await import(dist('onnx/encode.js'));
const { AttributeType, TensorDataType } = await import(dist('onnx/types.js'));

/** Multiply-add FLOPs (×2) of every Conv, ConvTranspose and MatMul, from the shapes in value_info. */
export function graphFlops(model) {
  const g = model.graph;
  const shapes = new Map();
  for (const v of [...g.input, ...g.output, ...g.valueInfo])
    shapes.set(
      v.name,
      (v.type?.tensorType?.shape?.dim ?? []).map((d) => d.dimValue ?? 1),
    );
  const inits = new Map(g.initializer.map((t) => [t.name, t.dims]));
  let flops = 0;
  for (const n of g.node) {
    if (n.opType === 'Conv') {
      const w = inits.get(n.input[1]);
      const out = shapes.get(n.output[0]);
      if (!w || !out) continue;
      // Weights are [C_out, C_in/groups, kH, kW]: each output reads C_in/groups·kH·kW inputs.
      flops += 2 * out[1] * out[2] * out[3] * (w[1] * w[2] * w[3]);
    } else if (n.opType === 'ConvTranspose') {
      const w = inits.get(n.input[1]);
      const x = shapes.get(n.input[0]);
      if (w && x) flops += 2 * x[1] * x[2] * x[3] * (w[1] * w[2] * w[3]);
    } else if (n.opType === 'MatMul') {
      const a = shapes.get(n.input[0]) ?? inits.get(n.input[0]);
      const out = shapes.get(n.output[0]);
      if (a && out) flops += 2 * out.reduce((x, y) => x * y, 1) * a[a.length - 1];
    }
  }
  return flops;
}

/**
 * A model of one 3×3 convolution, pad 1, on `[1, channels, size, size]`; with `depthwise`
 * the convolution has one group per channel. Returns the bytes, input dims and FLOPs.
 */
export function convModel({ channels = 256, size = 128, depthwise = false } = {}) {
  const c = channels;
  const cinPerGroup = depthwise ? 1 : c;
  const w = new Float32Array(c * cinPerGroup * 9);
  let s = 1;
  for (let i = 0; i < w.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    w[i] = (s / 2 ** 32 - 0.5) * 0.05;
  }
  const vi = (name, dims) => ({
    name,
    type: {
      tensorType: { elemType: TensorDataType.FLOAT, shape: { dim: dims.map((d) => ({ dimValue: d })) } },
    },
  });
  const bytes = encodeModel({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    producerName: 'bench',
    producerVersion: '',
    domain: '',
    modelVersion: 1,
    docString: '',
    metadataProps: [],
    functions: [],
    graph: {
      name: 'conv',
      node: [
        {
          name: 'conv',
          opType: 'Conv',
          domain: '',
          input: ['x', 'w'],
          output: ['y'],
          attribute: [
            { name: 'kernel_shape', type: AttributeType.INTS, ints: [3, 3] },
            { name: 'pads', type: AttributeType.INTS, ints: [1, 1, 1, 1] },
            { name: 'group', type: AttributeType.INT, i: depthwise ? c : 1 },
          ],
          docString: '',
        },
      ],
      initializer: [
        {
          name: 'w',
          dims: [c, cinPerGroup, 3, 3],
          dataType: TensorDataType.FLOAT,
          rawData: new Uint8Array(w.buffer),
        },
      ],
      input: [vi('x', [1, c, size, size])],
      output: [vi('y', [1, c, size, size])],
      valueInfo: [],
      docString: '',
    },
  });
  return { bytes, dims: [1, c, size, size], flops: 2 * c * cinPerGroup * 9 * size * size };
}
