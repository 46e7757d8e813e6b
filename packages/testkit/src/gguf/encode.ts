// Encoding of float rows into F32 / F16 / Q8_0 tensor bytes, and the reverse (for tests/tools).
import { endianness } from "node:os";
import { f16BitsToF32, f32ToF16Bits } from "./f16.js";
import { rowBytes, TYPE_LAYOUT, type TensorType } from "./types.js";

const QK8_0 = 32;
const LITTLE_ENDIAN = endianness() === "LE";

/** Like C roundf: halves round away from zero. */
function roundf(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/**
 * Encodes `count` floats from `src` into `dst` (starting at byte 0) as `type`.
 * Returns the number of bytes written. For q8_0, `count` must be a multiple of 32.
 */
export function encodeFloats(type: TensorType, src: Float32Array, count: number, dst: Buffer): number {
  const bytes = rowBytes(type, count);
  if (dst.length < bytes) throw new Error(`encode buffer too small: ${dst.length} < ${bytes}`);
  if (type === "f32") {
    if (LITTLE_ENDIAN && dst.byteOffset % 4 === 0) new Float32Array(dst.buffer, dst.byteOffset, count).set(src.subarray(0, count));
    else for (let i = 0; i < count; i++) dst.writeFloatLE(src[i]!, i * 4);
  } else if (type === "f16") {
    if (LITTLE_ENDIAN && dst.byteOffset % 2 === 0) {
      const out = new Uint16Array(dst.buffer, dst.byteOffset, count);
      for (let i = 0; i < count; i++) out[i] = f32ToF16Bits(src[i]!);
    } else {
      for (let i = 0; i < count; i++) dst.writeUInt16LE(f32ToF16Bits(src[i]!), i * 2);
    }
  } else {
    encodeQ8_0(src, count, dst);
  }
  return bytes;
}

/** ggml's quantize_row_q8_0_ref: per 32 values a f16 scale d = amax/127 then round(x/d) as int8. */
function encodeQ8_0(src: Float32Array, count: number, dst: Buffer): void {
  const { blockBytes } = TYPE_LAYOUT.q8_0;
  for (let b = 0; b < count / QK8_0; b++) {
    const base = b * QK8_0;
    let amax = 0;
    for (let j = 0; j < QK8_0; j++) amax = Math.max(amax, Math.abs(src[base + j]!));
    const d = Math.fround(amax / 127);
    const id = d !== 0 ? Math.fround(1 / d) : 0;
    const off = b * blockBytes;
    dst.writeUInt16LE(f32ToF16Bits(d), off);
    for (let j = 0; j < QK8_0; j++) {
      const q = roundf(Math.fround(src[base + j]! * id));
      dst.writeInt8(Math.max(-128, Math.min(127, q)), off + 2 + j);
    }
  }
}

/** Decodes `count` elements of `type` from `src` into floats. */
export function decodeFloats(type: TensorType, src: Uint8Array, count: number): Float32Array {
  const buf = Buffer.from(src.buffer, src.byteOffset, src.byteLength);
  const out = new Float32Array(count);
  if (type === "f32") {
    for (let i = 0; i < count; i++) out[i] = buf.readFloatLE(i * 4);
  } else if (type === "f16") {
    for (let i = 0; i < count; i++) out[i] = f16BitsToF32(buf.readUInt16LE(i * 2));
  } else {
    const { blockBytes } = TYPE_LAYOUT.q8_0;
    for (let b = 0; b < count / QK8_0; b++) {
      const d = f16BitsToF32(buf.readUInt16LE(b * blockBytes));
      for (let j = 0; j < QK8_0; j++) out[b * QK8_0 + j] = d * buf.readInt8(b * blockBytes + 2 + j);
    }
  }
  return out;
}
