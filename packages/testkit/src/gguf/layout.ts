// Serializes the GGUF header (magic, version, counts, metadata, tensor infos) and computes where
// every tensor's data lives, without touching tensor data.
import {
  alignUp,
  GGML_TYPE,
  GGUF_DEFAULT_ALIGNMENT,
  GGUF_MAGIC,
  GGUF_VALUE_TYPE,
  GGUF_VERSION,
  rowBytes,
  type GgufKv,
  type GgufScalarKind,
  type GgufValue,
  type TensorType,
} from "./types.js";

export interface TensorDecl {
  name: string;
  /** ne0 first (the fastest-varying, contiguous dimension). */
  dims: readonly number[];
  type: TensorType;
}

export interface TensorPlacement extends TensorDecl {
  /** Offset relative to the start of the data section. */
  offset: number;
  /** Bytes of data, excluding alignment padding. */
  size: number;
  rowElems: number;
  rows: number;
}

export interface GgufLayout {
  header: Buffer;
  alignment: number;
  /** Absolute file offset of the data section (header length rounded up to the alignment). */
  dataOffset: number;
  tensors: TensorPlacement[];
  /** Total file size in bytes. */
  fileSize: number;
}

/** Growable little-endian byte sink. Only used for the header, which is small. */
class ByteSink {
  private buf = Buffer.alloc(4096);
  length = 0;
  /** Reserves n bytes and returns their offset. Call before touching `this.buf` (it may grow). */
  private reserve(n: number): number {
    if (this.length + n > this.buf.length) {
      const next = Buffer.alloc(Math.max(this.buf.length * 2, this.length + n));
      this.buf.copy(next, 0, 0, this.length);
      this.buf = next;
    }
    const at = this.length;
    this.length += n;
    return at;
  }
  private put(n: number, write: (buf: Buffer, at: number) => void): void {
    const at = this.reserve(n);
    write(this.buf, at);
  }
  u8(v: number): void { this.put(1, (b, at) => b.writeUInt8(v, at)); }
  i8(v: number): void { this.put(1, (b, at) => b.writeInt8(v, at)); }
  u16(v: number): void { this.put(2, (b, at) => b.writeUInt16LE(v, at)); }
  i16(v: number): void { this.put(2, (b, at) => b.writeInt16LE(v, at)); }
  u32(v: number): void { this.put(4, (b, at) => b.writeUInt32LE(v, at)); }
  i32(v: number): void { this.put(4, (b, at) => b.writeInt32LE(v, at)); }
  f32(v: number): void { this.put(4, (b, at) => b.writeFloatLE(v, at)); }
  f64(v: number): void { this.put(8, (b, at) => b.writeDoubleLE(v, at)); }
  u64(v: bigint | number): void { this.put(8, (b, at) => b.writeBigUInt64LE(BigInt(v), at)); }
  i64(v: bigint): void { this.put(8, (b, at) => b.writeBigInt64LE(v, at)); }
  str(s: string): void {
    const bytes = Buffer.from(s, "utf8");
    this.u64(bytes.length);
    this.put(bytes.length, (b, at) => bytes.copy(b, at));
  }
  zeros(n: number): void { this.put(n, (b, at) => b.fill(0, at, at + n)); }
  take(): Buffer { return this.buf.subarray(0, this.length); }
}

function writeScalar(sink: ByteSink, kind: GgufScalarKind, v: number | bigint | boolean | string): void {
  switch (kind) {
    case "u8": return sink.u8(v as number);
    case "i8": return sink.i8(v as number);
    case "u16": return sink.u16(v as number);
    case "i16": return sink.i16(v as number);
    case "u32": return sink.u32(v as number);
    case "i32": return sink.i32(v as number);
    case "f32": return sink.f32(v as number);
    case "f64": return sink.f64(v as number);
    case "u64": return sink.u64(v as bigint);
    case "i64": return sink.i64(v as bigint);
    case "bool": return sink.u8(v ? 1 : 0);
    case "string": return sink.str(v as string);
  }
}

function writeValue(sink: ByteSink, value: GgufValue): void {
  sink.u32(GGUF_VALUE_TYPE[value.kind]);
  if (value.kind !== "array") return writeScalar(sink, value.kind, value.value);
  sink.u32(GGUF_VALUE_TYPE[value.itemKind]);
  sink.u64(value.value.length);
  for (const item of value.value) writeScalar(sink, value.itemKind, item);
}

/** Reads `general.alignment` from the metadata (GGUF default 32 when absent). */
export function alignmentOf(kvs: readonly GgufKv[]): number {
  const kv = kvs.find((k) => k.key === "general.alignment");
  if (!kv) return GGUF_DEFAULT_ALIGNMENT;
  if (kv.value.kind !== "u32") throw new Error("general.alignment must be a u32");
  const a = kv.value.value;
  if (a <= 0 || (a & (a - 1)) !== 0) throw new Error(`general.alignment must be a power of two, got ${a}`);
  return a;
}

/** Builds the header bytes and the placement of every tensor. */
export function planGguf(kvs: readonly GgufKv[], tensors: readonly TensorDecl[]): GgufLayout {
  const keys = new Set<string>();
  for (const kv of kvs) {
    if (keys.has(kv.key)) throw new Error(`duplicate metadata key ${kv.key}`);
    keys.add(kv.key);
  }
  const names = new Set<string>();
  const alignment = alignmentOf(kvs);
  const sink = new ByteSink();
  sink.u32(GGUF_MAGIC);
  sink.u32(GGUF_VERSION);
  sink.u64(tensors.length);
  sink.u64(kvs.length);
  for (const kv of kvs) {
    sink.str(kv.key);
    writeValue(sink, kv.value);
  }
  const placed: TensorPlacement[] = [];
  let offset = 0;
  for (const t of tensors) {
    if (names.has(t.name)) throw new Error(`duplicate tensor ${t.name}`);
    names.add(t.name);
    if (t.dims.length < 1 || t.dims.length > 4) throw new Error(`${t.name}: 1..4 dims expected`);
    if (t.dims.some((d) => !Number.isInteger(d) || d < 1)) throw new Error(`${t.name}: bad dims ${t.dims.join("x")}`);
    const rowElems = t.dims[0]!;
    const rows = t.dims.slice(1).reduce((a, b) => a * b, 1);
    const size = rowBytes(t.type, rowElems) * rows;
    offset = alignUp(offset, alignment);
    placed.push({ ...t, offset, size, rowElems, rows });
    sink.str(t.name);
    sink.u32(t.dims.length);
    for (const d of t.dims) sink.u64(d);
    sink.u32(GGML_TYPE[t.type]);
    sink.u64(offset);
    offset += size;
  }
  const dataOffset = alignUp(sink.length, alignment);
  sink.zeros(dataOffset - sink.length);
  return { header: sink.take(), alignment, dataOffset, tensors: placed, fileSize: dataOffset + alignUp(offset, alignment) };
}
