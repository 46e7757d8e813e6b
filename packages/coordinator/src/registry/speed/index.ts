export type { SpeedEstimate, SpeedSource } from "./types.js";
export { SpeedBook, DEFAULT_DECODE_TPS, DEFAULT_PREFILL_TPS } from "./speed-book.js";
export { Ewma, median } from "./ewma.js";
