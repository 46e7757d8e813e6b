// makeModel: writes a deterministic llama-architecture GGUF test model.
import { planGguf, writeGguf, type TensorType } from "../gguf/index.js";
import { modelMetadata } from "./metadata.js";
import { PRESETS, type Preset, type PresetSpec } from "./presets.js";
import { buildVocab } from "./tokenizer.js";
import { modelTensors, type EosMode } from "./weights.js";

export interface MakeModelOptions {
  /** Output file path (written atomically: temp file in the same directory, then rename). */
  out: string;
  preset?: Preset;
  /** Unsigned 32-bit seed; default 1. */
  seed?: number;
  /** 'suppress' (default): EOS/<|im_end|> never sampled. 'favour': generation ends almost at once. */
  eos?: EosMode;
  /** Tensor type of the 2-D weights; default is the preset's (f16). */
  type?: TensorType;
  /** Progress callback: bytes written so far and total bytes. */
  onProgress?: (written: number, total: number) => void;
}

export interface MakeModelResult {
  path: string;
  bytes: number;
  preset: Preset;
  spec: PresetSpec;
  type: TensorType;
  seed: number;
  eos: EosMode;
  /** Largest tensor-data buffer the writer allocated (bytes). */
  maxBufferBytes: number;
}

interface Resolved {
  preset: Preset;
  spec: PresetSpec;
  seed: number;
  eos: EosMode;
  type: TensorType;
}

function resolve(o: Omit<MakeModelOptions, "out" | "onProgress">): Resolved {
  const preset = o.preset ?? "tiny";
  const spec = PRESETS[preset];
  if (!spec) throw new Error(`unknown preset ${String(preset)}`);
  const seed = o.seed ?? 1;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new Error(`seed must be a u32, got ${seed}`);
  const eos = o.eos ?? "suppress";
  if (eos !== "suppress" && eos !== "favour") throw new Error(`eos must be suppress|favour, got ${String(eos)}`);
  const type = o.type ?? spec.defaultType;
  if (type !== "f32" && type !== "f16" && type !== "q8_0") throw new Error(`unknown type ${String(type)}`);
  return { preset, spec, seed, eos, type };
}

function parts(r: Resolved) {
  const vocab = buildVocab();
  return {
    kvs: modelMetadata({ ...r, vocab }),
    tensors: modelTensors({ spec: r.spec, vocab, seed: r.seed, eos: r.eos, type: r.type }),
  };
}

/** Exact size in bytes of the file makeModel would write for these options (cheap: no weights). */
export function modelFileSize(o: Omit<MakeModelOptions, "out" | "onProgress"> = {}): number {
  const { kvs, tensors } = parts(resolve(o));
  return planGguf(kvs, tensors).fileSize;
}

/** Generates the model. Same options → byte-identical file. */
export async function makeModel(o: MakeModelOptions): Promise<MakeModelResult> {
  const r = resolve(o);
  const { kvs, tensors } = parts(r);
  const res = await writeGguf(o.out, kvs, tensors, o.onProgress ? { onProgress: o.onProgress } : {});
  return { path: res.path, bytes: res.bytes, maxBufferBytes: res.maxBufferBytes, ...r };
}
