// Helper module of the kernels suites (no `suite` export): a minimal ONNX protobuf writer, enough for the
// single-node fp32 MatMul and Conv baselines that onnxruntime-node runs. Field numbers follow onnx.proto:
// ModelProto (ir_version 1, graph 7, opset_import 8), GraphProto (node 1, name 2, initializer 5, input 11,
// output 12), NodeProto (input 1, output 2, op_type 4, attribute 5), AttributeProto (name 1, ints 8, type 20),
// TensorProto (dims 1, data_type 2, name 8, raw_data 9), ValueInfoProto / TypeProto.Tensor / TensorShapeProto.

class Writer {
  readonly bytes: number[] = [];

  varint(value: number): void {
    let v = BigInt(value);
    if (v < 0n) v += 1n << 64n;
    while (v >= 0x80n) {
      this.bytes.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.bytes.push(Number(v));
  }

  int(field: number, value: number): void {
    this.varint(field * 8);
    this.varint(value);
  }

  raw(field: number, data: Uint8Array): void {
    this.varint(field * 8 + 2);
    this.varint(data.length);
    for (const b of data) this.bytes.push(b);
  }

  string(field: number, s: string): void {
    this.raw(field, new TextEncoder().encode(s));
  }

  message(field: number, fill: (w: Writer) => void): void {
    const inner = new Writer();
    fill(inner);
    this.raw(field, Uint8Array.from(inner.bytes));
  }
}

/** One graph node: op type, inputs, outputs and integer-list attributes. */
export interface OnnxNode {
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly ints?: Readonly<Record<string, readonly number[]>>;
}

/** A float32 initializer. */
export interface OnnxInitializer {
  readonly name: string;
  readonly dims: readonly number[];
  readonly data: Float32Array;
}

const FLOAT = 1; // TensorProto.DataType.FLOAT
const INTS = 7; // AttributeProto.AttributeType.INTS

/**
 * Serializes a one-graph fp32 model (IR version 7, opset 13).
 *
 * @param nodes - the graph's nodes in order
 * @param inputs - graph inputs as [name, dims]
 * @param outputs - graph outputs as [name, dims]
 * @param initializers - constant tensors (weights)
 * @returns the ModelProto bytes
 */
export function onnxModel(
  nodes: readonly OnnxNode[],
  inputs: readonly (readonly [string, readonly number[]])[],
  outputs: readonly (readonly [string, readonly number[]])[],
  initializers: readonly OnnxInitializer[],
): Uint8Array {
  const valueInfo = (g: Writer, field: number, name: string, dims: readonly number[]): void =>
    g.message(field, (v) => {
      v.string(1, name);
      v.message(2, (type) =>
        type.message(1, (tensor) => {
          tensor.int(1, FLOAT);
          tensor.message(2, (shape) => {
            for (const d of dims) shape.message(1, (dim) => dim.int(1, d));
          });
        }),
      );
    });
  const model = new Writer();
  model.int(1, 7);
  model.message(7, (g) => {
    for (const n of nodes) {
      g.message(1, (node) => {
        for (const i of n.inputs) node.string(1, i);
        for (const o of n.outputs) node.string(2, o);
        node.string(4, n.op);
        for (const [name, values] of Object.entries(n.ints ?? {})) {
          node.message(5, (a) => {
            a.string(1, name);
            for (const x of values) a.int(8, x);
            a.int(20, INTS);
          });
        }
      });
    }
    g.string(2, 'baseline');
    for (const t of initializers) {
      g.message(5, (tensor) => {
        for (const d of t.dims) tensor.int(1, d);
        tensor.int(2, FLOAT);
        tensor.string(8, t.name);
        tensor.raw(9, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
      });
    }
    for (const [name, dims] of inputs) valueInfo(g, 11, name, dims);
    for (const [name, dims] of outputs) valueInfo(g, 12, name, dims);
  });
  model.message(8, (opset) => {
    opset.string(1, '');
    opset.int(2, 13);
  });
  return Uint8Array.from(model.bytes);
}

/** `Y = A·B` with A an input [m, k] and B an initializer [k, n]. */
export function matMulModel(m: number, k: number, n: number, b: Float32Array): Uint8Array {
  return onnxModel([{ op: 'MatMul', inputs: ['A', 'B'], outputs: ['Y'] }], [['A', [m, k]]], [['Y', [m, n]]], [{ name: 'B', dims: [k, n], data: b }]);
}

/** NCHW `Conv` with weights [cout, cin, kh, kw], bias [cout], symmetric padding and stride 1. */
export function convModel(c: number, h: number, w: number, cout: number, k: number, pad: number, weights: Float32Array, bias: Float32Array): Uint8Array {
  const oh = h + 2 * pad - k + 1;
  const ow = w + 2 * pad - k + 1;
  return onnxModel(
    [{ op: 'Conv', inputs: ['X', 'W', 'B'], outputs: ['Y'], ints: { kernel_shape: [k, k], pads: [pad, pad, pad, pad], strides: [1, 1] } }],
    [['X', [1, c, h, w]]],
    [['Y', [1, cout, oh, ow]]],
    [
      { name: 'W', dims: [cout, c, k, k], data: weights },
      { name: 'B', dims: [cout], data: bias },
    ],
  );
}
