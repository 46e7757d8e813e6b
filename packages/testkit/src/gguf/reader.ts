// Minimal GGUF reader: parses the header (metadata + tensor infos) and reads single tensors back.
import { open } from "node:fs/promises";
import { decodeFloats } from "./encode.js";
import {
  alignUp,
  GGUF_DEFAULT_ALIGNMENT,
  GGUF_MAGIC,
  GGUF_VALUE_TYPE,
  rowBytes,
  tensorTypeFromId,
  type GgufKv,
  type GgufScalarKind,
  type GgufValue,
  type TensorType,
} from "./types.js";

export interface GgufTensorInfo {
  name: string;
  /** ne0 first. */
  dims: number[];
  typeId: number;
  /** Undefined when the ggml type is not one this package knows. */
  type: TensorType | undefined;
  /** Offset relative to the data section, as stored. */
  offset: number;
  /** Absolute file offset of the tensor data. */
  fileOffset: number;
  /** Data size in bytes (undefined for unknown types). */
  size: number | undefined;
}

export interface GgufHeader {
  version: number;
  alignment: number;
  /** Metadata in file order. */
  kvs: GgufKv[];
  metadata: Record<string, GgufValue>;
  tensors: GgufTensorInfo[];
  dataOffset: number;
}

class OutOfData extends Error {}

const KIND_BY_ID = new Map<number, GgufScalarKind | "array">(
  Object.entries(GGUF_VALUE_TYPE).map(([k, v]) => [v, k as GgufScalarKind | "array"]),
);

class Cursor {
  pos = 0;
  constructor(private readonly buf: Buffer) {}
  private at(n: number): number {
    if (this.pos + n > this.buf.length) throw new OutOfData();
    const p = this.pos;
    this.pos += n;
    return p;
  }
  u32(): number { return this.buf.readUInt32LE(this.at(4)); }
  u64n(): number {
    const v = this.buf.readBigUInt64LE(this.at(8));
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`u64 ${v} too large`);
    return Number(v);
  }
  str(): string {
    const len = this.u64n();
    const p = this.at(len);
    return this.buf.toString("utf8", p, p + len);
  }
  scalar(kind: GgufScalarKind): number | bigint | boolean | string {
    switch (kind) {
      case "u8": return this.buf.readUInt8(this.at(1));
      case "i8": return this.buf.readInt8(this.at(1));
      case "u16": return this.buf.readUInt16LE(this.at(2));
      case "i16": return this.buf.readInt16LE(this.at(2));
      case "u32": return this.buf.readUInt32LE(this.at(4));
      case "i32": return this.buf.readInt32LE(this.at(4));
      case "f32": return this.buf.readFloatLE(this.at(4));
      case "f64": return this.buf.readDoubleLE(this.at(8));
      case "u64": return this.buf.readBigUInt64LE(this.at(8));
      case "i64": return this.buf.readBigInt64LE(this.at(8));
      case "bool": return this.buf.readUInt8(this.at(1)) !== 0;
      case "string": return this.str();
    }
  }
  value(): GgufValue {
    const kind = KIND_BY_ID.get(this.u32());
    if (kind === undefined) throw new Error("unknown GGUF value type");
    if (kind !== "array") return { kind, value: this.scalar(kind) } as GgufValue;
    const itemKind = KIND_BY_ID.get(this.u32());
    if (itemKind === undefined || itemKind === "array") throw new Error("unsupported GGUF array item type");
    const n = this.u64n();
    const value: unknown[] = [];
    for (let i = 0; i < n; i++) value.push(this.scalar(itemKind));
    return { kind: "array", itemKind, value } as GgufValue;
  }
}

function parse(buf: Buffer): GgufHeader {
  const c = new Cursor(buf);
  if (c.u32() !== GGUF_MAGIC) throw new Error("not a GGUF file (bad magic)");
  const version = c.u32();
  if (version !== 2 && version !== 3) throw new Error(`unsupported GGUF version ${version}`);
  const nTensors = c.u64n();
  const nKv = c.u64n();
  const kvs: GgufKv[] = [];
  const metadata: Record<string, GgufValue> = {};
  for (let i = 0; i < nKv; i++) {
    const key = c.str();
    const value = c.value();
    kvs.push({ key, value });
    metadata[key] = value;
  }
  const alignKv = metadata["general.alignment"];
  const alignment = alignKv && alignKv.kind === "u32" ? alignKv.value : GGUF_DEFAULT_ALIGNMENT;
  const infos: Omit<GgufTensorInfo, "fileOffset">[] = [];
  for (let i = 0; i < nTensors; i++) {
    const name = c.str();
    const nDims = c.u32();
    const dims: number[] = [];
    for (let d = 0; d < nDims; d++) dims.push(c.u64n());
    const typeId = c.u32();
    const offset = c.u64n();
    const type = tensorTypeFromId(typeId);
    const rows = dims.slice(1).reduce((a, b) => a * b, 1);
    const size = type === undefined ? undefined : rowBytes(type, dims[0] ?? 1) * rows;
    infos.push({ name, dims, typeId, type, offset, size });
  }
  const dataOffset = alignUp(c.pos, alignment);
  const tensors = infos.map((t) => ({ ...t, fileOffset: dataOffset + t.offset }));
  return { version, alignment, kvs, metadata, tensors, dataOffset };
}

/** Parses the header of a GGUF file (reads only as much of the file as the header needs). */
export async function readGgufHeader(path: string): Promise<GgufHeader> {
  const fh = await open(path, "r");
  try {
    const { size } = await fh.stat();
    for (let want = 1 << 16; ; want *= 4) {
      const len = Math.min(want, size);
      const buf = Buffer.alloc(len);
      await fh.read(buf, 0, len, 0);
      try {
        return parse(buf);
      } catch (err) {
        if (!(err instanceof OutOfData)) throw err;
        if (len === size) throw new Error("truncated GGUF header");
      }
    }
  } finally {
    await fh.close();
  }
}

/** Reads the raw bytes of one tensor. */
export async function readTensorBytes(path: string, header: GgufHeader, name: string): Promise<Buffer> {
  const t = header.tensors.find((x) => x.name === name);
  if (!t) throw new Error(`no tensor ${name}`);
  if (t.size === undefined) throw new Error(`tensor ${name} has unsupported type ${t.typeId}`);
  const fh = await open(path, "r");
  try {
    const buf = Buffer.alloc(t.size);
    const { bytesRead } = await fh.read(buf, 0, t.size, t.fileOffset);
    if (bytesRead !== t.size) throw new Error(`tensor ${name} is truncated`);
    return buf;
  } finally {
    await fh.close();
  }
}

/** Reads one tensor and decodes it to floats (row-major, ne0 fastest). */
export async function readTensorFloats(path: string, header: GgufHeader, name: string): Promise<Float32Array> {
  const t = header.tensors.find((x) => x.name === name);
  if (!t?.type) throw new Error(`no readable tensor ${name}`);
  const bytes = await readTensorBytes(path, header, name);
  return decodeFloats(t.type, bytes, t.dims.reduce((a, b) => a * b, 1));
}
