/**
 * A minimal writer for the ONNX protobuf format (onnx.proto3): just the messages a feed-forward CNN needs —
 * ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto (raw float data) and ValueInfoProto.
 * Hand-written because the encoding is small (varints and length-delimited fields) and a full protobuf
 * runtime plus the generated ONNX schema would be a large dependency for ~100 lines of output code.
 * Field numbers are the ones in https://github.com/onnx/onnx/blob/main/onnx/onnx.proto.
 */

/** One attribute value: a number is an INT unless `float` is set, arrays are INTS / FLOATS. */
export type OnnxAttribute = { int: number } | { float: number } | { ints: readonly number[] } | { floats: readonly number[] } | { string: string };

/** A graph node, e.g. `{ op: 'Conv', inputs: ['x', 'w'], outputs: ['y'], attributes: { group: { int: 32 } } }`. */
export interface OnnxNode {
  op: string;
  name: string;
  inputs: readonly string[];
  outputs: readonly string[];
  attributes?: Record<string, OnnxAttribute>;
}

/** A constant tensor (weights): float32 or int64 values with their dims. */
export interface OnnxInitializer {
  name: string;
  dims: readonly number[];
  data: Float32Array | BigInt64Array;
}

/** A graph input or output: float32 with fixed dims, or a named symbolic dim (`'batch'`). */
export interface OnnxValueInfo {
  name: string;
  dims: readonly (number | string)[];
}

export interface OnnxGraph {
  name: string;
  nodes: readonly OnnxNode[];
  initializers: readonly OnnxInitializer[];
  inputs: readonly OnnxValueInfo[];
  outputs: readonly OnnxValueInfo[];
}

const FLOAT = 1;
const INT64 = 7;

/** Growable byte buffer with protobuf's wire encodings. */
class Writer {
  private chunks: Uint8Array[] = [];
  private length = 0;

  private push(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.length += bytes.length;
  }

  varint(value: number | bigint): void {
    let v = BigInt.asUintN(64, BigInt(value)); // negative int64 → two's complement, ten bytes, as protobuf does
    const out: number[] = [];
    while (v >= 0x80n) {
      out.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    out.push(Number(v));
    this.push(Uint8Array.from(out));
  }

  key(field: number, wireType: 0 | 1 | 2 | 5): void {
    this.varint((field << 3) | wireType);
  }

  int(field: number, value: number | bigint): void {
    this.key(field, 0);
    this.varint(value);
  }

  bytes(field: number, bytes: Uint8Array): void {
    this.key(field, 2);
    this.varint(bytes.length);
    this.push(bytes);
  }

  string(field: number, value: string): void {
    this.bytes(field, new TextEncoder().encode(value));
  }

  message(field: number, build: (w: Writer) => void): void {
    const inner = new Writer();
    build(inner);
    this.bytes(field, inner.finish());
  }

  float(field: number, value: number): void {
    this.key(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this.push(b);
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

function writeAttribute(w: Writer, name: string, a: OnnxAttribute): void {
  w.string(1, name);
  if ('int' in a) {
    w.int(3, a.int);
    w.int(20, 2);
  } else if ('float' in a) {
    w.float(2, a.float);
    w.int(20, 1);
  } else if ('ints' in a) {
    for (const i of a.ints) w.int(8, i);
    w.int(20, 7);
  } else if ('floats' in a) {
    for (const f of a.floats) w.float(7, f);
    w.int(20, 6);
  } else {
    w.string(4, a.string);
    w.int(20, 3);
  }
}

function writeTensor(w: Writer, t: OnnxInitializer): void {
  for (const d of t.dims) w.int(1, d);
  w.int(2, t.data instanceof Float32Array ? FLOAT : INT64);
  w.string(8, t.name);
  // raw_data is little-endian, which is what typed arrays hold on every platform Node runs on.
  w.bytes(9, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
}

function writeValueInfo(w: Writer, v: OnnxValueInfo): void {
  w.string(1, v.name);
  w.message(2, (type) =>
    type.message(1, (tensor) => {
      tensor.int(1, FLOAT);
      tensor.message(2, (shape) => {
        for (const d of v.dims) shape.message(1, (dim) => (typeof d === 'number' ? dim.int(1, d) : dim.string(2, d)));
      });
    }),
  );
}

/** Serialises a graph as an ONNX model (IR version 8, default-domain opset `opset`), ready for onnxruntime. */
export function encodeOnnxModel(graph: OnnxGraph, opts: { opset?: number; producer?: string } = {}): Uint8Array {
  const w = new Writer();
  w.int(1, 8); // ir_version
  w.string(2, opts.producer ?? 'lookalike');
  w.message(7, (g) => {
    for (const n of graph.nodes) {
      g.message(1, (node) => {
        for (const i of n.inputs) node.string(1, i);
        for (const o of n.outputs) node.string(2, o);
        node.string(3, n.name);
        node.string(4, n.op);
        for (const [name, a] of Object.entries(n.attributes ?? {})) node.message(5, (attr) => writeAttribute(attr, name, a));
      });
    }
    g.string(2, graph.name);
    for (const t of graph.initializers) g.message(5, (tensor) => writeTensor(tensor, t));
    for (const v of graph.inputs) g.message(11, (vi) => writeValueInfo(vi, v));
    for (const v of graph.outputs) g.message(12, (vi) => writeValueInfo(vi, v));
  });
  w.message(8, (op) => {
    op.string(1, '');
    op.int(2, opts.opset ?? 13);
  });
  return w.finish();
}
