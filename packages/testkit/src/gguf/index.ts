export * from "./types.js";
export { f16BitsToF32, f32ToF16Bits } from "./f16.js";
export { decodeFloats, encodeFloats } from "./encode.js";
export { planGguf, type GgufLayout, type TensorDecl, type TensorPlacement } from "./layout.js";
export { writeGguf, type TensorSource, type WriteGgufOptions, type WriteGgufResult } from "./writer.js";
export {
  readGgufHeader,
  readTensorBytes,
  readTensorFloats,
  type GgufHeader,
  type GgufTensorInfo,
} from "./reader.js";
