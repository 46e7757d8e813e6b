// Weight generation for the llama-architecture test model.
//
// Design: two residual channels are reserved and held constant through every layer:
//   MAIN (channel 0) = K for every input token except newline, NL (channel 1) = K for newline.
// Layer input norms have weight 0 on both channels (layers never see them) and attn_output /
// ffn_down have zero output rows there (layers never change them). K dominates the residual RMS, so
// after output_norm each reserved channel carries ~sqrt(n_embd), and output.weight's columns 0 and 1
// act as per-token logit biases ("after any token" and "after a newline"). Random weights elsewhere
// add a context-dependent spread of a few logits, so text varies with the seed and with sampling.
import type { TensorSource, TensorType } from "../gguf/index.js";
import { Sfc32 } from "./prng.js";
import type { PresetSpec } from "./presets.js";
import type { Vocab } from "./tokenizer.js";

export type EosMode = "suppress" | "favour";

const MAIN = 0;
const NL = 1;
/** Reserved-channel magnitude relative to sqrt(n_embd); the rest of the residual has RMS ~1.4. */
const K_RATIO = 8;
/** Target logit spread from the random part of output.weight. */
const LOGIT_NOISE = 1.5;

/** Target logits (before the random spread) per token class. */
export const BIAS = {
  /** " word": a space then lower-case letters */
  spacedWord: 9,
  /** lower-case letters only */
  lower: 7,
  /** any other printable ASCII (0x20..0x7e) */
  printable: 5,
  /** `"`, `}` and `]` in a closeJson preset */
  closeJson: 20,
  /** newline, other control bytes, bytes >= 0x80 */
  otherByte: -20,
  /** <|im_start|>, reserved tokens */
  control: -40,
  /** <|im_end|> when generation should end (<|endoftext|> gets 10 less, so chats end with <|im_end|>) */
  eogOn: 40,
  /** <|endoftext|> / <|im_end|> otherwise */
  eogOff: -40,
} as const;

const isLower = (b: number): boolean => b >= 0x61 && b <= 0x7a;
const isPrintable = (b: number): boolean => b >= 0x20 && b <= 0x7e;

/** Bias logits for each token: [after a normal token, after a newline]. */
export function tokenBiases(vocab: Vocab, eos: EosMode, closeJson = false): { main: Float32Array; nl: Float32Array } {
  const n = vocab.tokens.length;
  const main = new Float32Array(n);
  const nl = new Float32Array(n);
  for (let t = 0; t < n; t++) {
    const bytes = vocab.tokenBytes[t]!;
    let b: number;
    if (t === vocab.eosId || t === vocab.imEndId) b = BIAS.eogOff;
    else if (bytes.length === 0) b = BIAS.control;
    else if (bytes.length > 1 && bytes[0] === 0x20 && bytes.subarray(1).every(isLower)) b = BIAS.spacedWord;
    else if (bytes.every(isLower)) b = BIAS.lower;
    else if (bytes.every(isPrintable)) b = BIAS.printable;
    else b = BIAS.otherByte;
    main[t] = b;
    nl[t] = b;
  }
  if (closeJson) {
    // The single-byte tokens `"`, `}` and `]` above every word (see PresetSpec.closeJson).
    for (const byte of [0x22, 0x7d, 0x5d]) {
      const t = vocab.tokenBytes.findIndex((b) => b.length === 1 && b[0] === byte);
      if (t !== -1) {
        main[t] = BIAS.closeJson;
        nl[t] = BIAS.closeJson;
      }
    }
  }
  if (eos === "favour") {
    // End right after any token except a newline, so a chat reply (whose prompt ends in "\n")
    // gets exactly one content token before <|im_end|>.
    main[vocab.eosId] = BIAS.eogOn - 10;
    main[vocab.imEndId] = BIAS.eogOn;
  }
  return { main, nl };
}

export interface WeightOptions {
  spec: PresetSpec;
  vocab: Vocab;
  seed: number;
  eos: EosMode;
  type: TensorType;
}

type RowFn = (row: number, out: Float32Array, rng: Sfc32) => void;

function source(name: string, dims: number[], type: TensorType, seed: number, rowFn: RowFn): TensorSource {
  let rng: Sfc32 | undefined;
  let nextRow = 0;
  return {
    name,
    dims,
    type,
    fill(firstRow, rowCount, out) {
      if (firstRow === 0 || !rng) rng = new Sfc32(seed, name);
      else if (firstRow !== nextRow) throw new Error(`${name}: rows must be filled in order`);
      const w = dims[0]!;
      for (let r = 0; r < rowCount; r++) rowFn(firstRow + r, out.subarray(r * w, (r + 1) * w), rng);
      nextRow = firstRow + rowCount;
    },
  };
}

const random = (std: number): RowFn => (_row, out, rng) => {
  for (let i = 0; i < out.length; i++) out[i] = rng.sym(std);
};
/** Random rows, except the reserved output rows stay zero. */
const randomKeepReserved = (std: number): RowFn => (row, out, rng) => {
  if (row !== MAIN && row !== NL) random(std)(row, out, rng);
};
const norm = (reserved: number, rest: number): RowFn => (_row, out) => {
  out.fill(rest);
  out[MAIN] = reserved;
  out[NL] = reserved;
};

/** All tensors of the model, in file order. */
export function modelTensors(o: WeightOptions): TensorSource[] {
  const { embd: n, layers, ffn, heads, kvHeads } = o.spec;
  const headDim = n / heads;
  const nV = o.vocab.tokens.length;
  const K = K_RATIO * Math.sqrt(n);
  const gain = K / Math.sqrt(n); // undoes the RMS norm's division by ~K/sqrt(n)
  const alpha = 1 / Math.sqrt(2 * layers); // keeps the residual RMS around 1.4 after all layers
  const { main, nl } = tokenBiases(o.vocab, o.eos, o.spec.closeJson === true);
  const nlToken = o.vocab.tokenBytes.findIndex((b) => b.length === 1 && b[0] === 0x0a);
  const w2 = o.type;
  const t: TensorSource[] = [];
  const add = (name: string, dims: number[], type: TensorType, fn: RowFn) => t.push(source(name, dims, type, o.seed, fn));

  add("token_embd.weight", [n, nV], w2, (row, out, rng) => {
    random(1)(row, out, rng);
    out[MAIN] = row === nlToken ? 0 : K;
    out[NL] = row === nlToken ? K : 0;
  });
  for (let l = 0; l < layers; l++) {
    const p = `blk.${l}`;
    add(`${p}.attn_norm.weight`, [n], "f32", norm(0, gain));
    add(`${p}.attn_q.weight`, [n, heads * headDim], w2, random(1 / Math.sqrt(n)));
    add(`${p}.attn_k.weight`, [n, kvHeads * headDim], w2, random(1 / Math.sqrt(n)));
    add(`${p}.attn_v.weight`, [n, kvHeads * headDim], w2, random(1 / Math.sqrt(n)));
    add(`${p}.attn_output.weight`, [heads * headDim, n], w2, randomKeepReserved(alpha / Math.sqrt(n)));
    add(`${p}.ffn_norm.weight`, [n], "f32", norm(0, gain));
    add(`${p}.ffn_gate.weight`, [n, ffn], w2, random(1 / Math.sqrt(n)));
    add(`${p}.ffn_down.weight`, [ffn, n], w2, randomKeepReserved(alpha / (0.6 * Math.sqrt(ffn))));
    add(`${p}.ffn_up.weight`, [n, ffn], w2, random(1 / Math.sqrt(n)));
  }
  add("output_norm.weight", [n], "f32", norm(1, gain));
  add("output.weight", [n, nV], w2, (row, out, rng) => {
    random(LOGIT_NOISE / Math.sqrt(n))(row, out, rng);
    out[MAIN] = main[row]! / Math.sqrt(n);
    out[NL] = nl[row]! / Math.sqrt(n);
  });
  return t;
}
