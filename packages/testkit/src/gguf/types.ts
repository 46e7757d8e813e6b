// GGUF v3 value and tensor type definitions shared by the writer and the reader.

/** GGUF metadata value type ids (as stored on disk). */
export const GGUF_VALUE_TYPE = {
  u8: 0,
  i8: 1,
  u16: 2,
  i16: 3,
  u32: 4,
  i32: 5,
  f32: 6,
  bool: 7,
  string: 8,
  array: 9,
  u64: 10,
  i64: 11,
  f64: 12,
} as const;

export type GgufNumberKind = "u8" | "i8" | "u16" | "i16" | "u32" | "i32" | "f32" | "f64";
export type GgufBigIntKind = "u64" | "i64";
export type GgufScalarKind = GgufNumberKind | GgufBigIntKind | "bool" | "string";

/** A typed GGUF metadata value. Arrays of arrays are not supported (nothing here needs them). */
export type GgufValue =
  | { kind: GgufNumberKind; value: number }
  | { kind: GgufBigIntKind; value: bigint }
  | { kind: "bool"; value: boolean }
  | { kind: "string"; value: string }
  | { kind: "array"; itemKind: GgufNumberKind; value: number[] }
  | { kind: "array"; itemKind: GgufBigIntKind; value: bigint[] }
  | { kind: "array"; itemKind: "bool"; value: boolean[] }
  | { kind: "array"; itemKind: "string"; value: string[] };

export interface GgufKv {
  key: string;
  value: GgufValue;
}

/** Constructors for typed metadata values. */
export const gv = {
  u32: (value: number): GgufValue => ({ kind: "u32", value }),
  i32: (value: number): GgufValue => ({ kind: "i32", value }),
  f32: (value: number): GgufValue => ({ kind: "f32", value }),
  u64: (value: bigint): GgufValue => ({ kind: "u64", value }),
  bool: (value: boolean): GgufValue => ({ kind: "bool", value }),
  str: (value: string): GgufValue => ({ kind: "string", value }),
  strs: (value: string[]): GgufValue => ({ kind: "array", itemKind: "string", value }),
  i32s: (value: number[]): GgufValue => ({ kind: "array", itemKind: "i32", value }),
  f32s: (value: number[]): GgufValue => ({ kind: "array", itemKind: "f32", value }),
};

/** Tensor data types this package can write. */
export type TensorType = "f32" | "f16" | "q8_0";

/** ggml type ids. */
export const GGML_TYPE = { f32: 0, f16: 1, q8_0: 8 } as const;

/** Elements per block and bytes per block of each tensor type. */
export const TYPE_LAYOUT: Record<TensorType, { blockElems: number; blockBytes: number }> = {
  f32: { blockElems: 1, blockBytes: 4 },
  f16: { blockElems: 1, blockBytes: 2 },
  q8_0: { blockElems: 32, blockBytes: 34 },
};

export const GGUF_MAGIC = 0x46554747; // "GGUF" read as little-endian u32
export const GGUF_VERSION = 3;
export const GGUF_DEFAULT_ALIGNMENT = 32;

export function tensorTypeFromId(id: number): TensorType | undefined {
  for (const [name, value] of Object.entries(GGML_TYPE)) if (value === id) return name as TensorType;
  return undefined;
}

/** Bytes occupied by one row of `rowElems` elements of the given type. */
export function rowBytes(type: TensorType, rowElems: number): number {
  const { blockElems, blockBytes } = TYPE_LAYOUT[type];
  if (rowElems % blockElems !== 0) {
    throw new Error(`${type} rows need a multiple of ${blockElems} elements, got ${rowElems}`);
  }
  return (rowElems / blockElems) * blockBytes;
}

export function alignUp(n: number, alignment: number): number {
  return Math.ceil(n / alignment) * alignment;
}
