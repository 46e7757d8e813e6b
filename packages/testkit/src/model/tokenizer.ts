// GPT-2 style byte-level BPE vocabulary: 256 byte tokens (bytes_to_unicode spelling), merges trained
// on a fixed word list, then control tokens. Fully deterministic.
import { COMMON_WORDS } from "./words.js";

export const VOCAB_SIZE = 1024;
export const CONTROL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"] as const;

/** llama.cpp token types. */
export const TOKEN_TYPE = { normal: 1, unknown: 2, control: 3, userDefined: 4, unused: 5, byte: 6 } as const;

export interface Vocab {
  tokens: string[];
  tokenTypes: number[];
  merges: string[];
  /** The UTF-8 bytes each token stands for (empty for control tokens). */
  tokenBytes: Uint8Array[];
  eosId: number;
  imStartId: number;
  imEndId: number;
}

/** GPT-2's bytes_to_unicode: returns [byte order, byte -> printable unicode char]. */
export function bytesToUnicode(): { order: number[]; charOf: string[] } {
  const bs: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) bs.push(b);
  for (let b = 0xa1; b <= 0xac; b++) bs.push(b);
  for (let b = 0xae; b <= 0xff; b++) bs.push(b);
  const cs = [...bs];
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bs.includes(b)) {
      bs.push(b);
      cs.push(256 + n);
      n++;
    }
  }
  const charOf: string[] = new Array<string>(256);
  bs.forEach((b, i) => (charOf[b] = String.fromCodePoint(cs[i]!)));
  return { order: bs, charOf };
}

/** Greedy BPE training on weighted words (each already split into byte symbols). */
function trainMerges(words: { symbols: string[]; weight: number }[], maxMerges: number): string[] {
  const merges: string[] = [];
  while (merges.length < maxMerges) {
    const counts = new Map<string, number>();
    for (const w of words) {
      for (let i = 0; i + 1 < w.symbols.length; i++) {
        const key = `${w.symbols[i]} ${w.symbols[i + 1]}`;
        counts.set(key, (counts.get(key) ?? 0) + w.weight);
      }
    }
    let best: string | undefined;
    let bestCount = 0;
    for (const [key, count] of counts) {
      if (count > bestCount || (count === bestCount && best !== undefined && key < best)) {
        best = key;
        bestCount = count;
      }
    }
    if (best === undefined) break;
    merges.push(best);
    const [left, right] = best.split(" ") as [string, string];
    for (const w of words) {
      const out: string[] = [];
      for (let i = 0; i < w.symbols.length; i++) {
        if (i + 1 < w.symbols.length && w.symbols[i] === left && w.symbols[i + 1] === right) {
          out.push(left + right);
          i++;
        } else {
          out.push(w.symbols[i]!);
        }
      }
      w.symbols = out;
    }
  }
  return merges;
}

let cached: Vocab | undefined;

/** Builds (once) the shared vocabulary used by every preset. */
export function buildVocab(): Vocab {
  if (cached) return cached;
  const { order, charOf } = bytesToUnicode();
  const spell = (s: string): string[] => [...Buffer.from(s, "utf8")].map((b) => charOf[b]!);
  const words = COMMON_WORDS.flatMap((w, rank) => [
    { symbols: spell(` ${w}`), weight: 1000 / (rank + 10) },
    { symbols: spell(w), weight: 300 / (rank + 10) },
  ]);
  const nPad = 1; // keep at least one reserved slot so the vocabulary size is exact
  const merges = trainMerges(words, VOCAB_SIZE - 256 - CONTROL_TOKENS.length - nPad);
  const byteOf = new Map<string, number>(charOf.map((ch, b) => [ch, b]));
  const toBytes = (tok: string): Uint8Array => Uint8Array.from([...tok].map((ch) => byteOf.get(ch)!));

  const tokens: string[] = order.map((b) => charOf[b]!);
  const tokenTypes: number[] = tokens.map(() => TOKEN_TYPE.normal);
  const seen = new Set(tokens);
  for (const m of merges) {
    const tok = m.replace(" ", "");
    if (seen.has(tok)) continue; // two merge paths can spell the same token; keep it once
    seen.add(tok);
    tokens.push(tok);
    tokenTypes.push(TOKEN_TYPE.normal);
  }
  const firstControl = tokens.length;
  for (const c of CONTROL_TOKENS) tokens.push(c);
  for (let i = 0; tokens.length < VOCAB_SIZE; i++) tokens.push(`<|reserved_${i}|>`);
  while (tokenTypes.length < tokens.length) tokenTypes.push(TOKEN_TYPE.control);
  if (new Set(tokens).size !== tokens.length) throw new Error("internal: duplicate tokens in vocab");
  const tokenBytes = tokens.map((t, i) => (i < firstControl ? toBytes(t) : new Uint8Array(0)));
  cached = {
    tokens,
    tokenTypes,
    merges,
    tokenBytes,
    eosId: firstControl,
    imStartId: firstControl + 1,
    imEndId: firstControl + 2,
  };
  return cached;
}

export const CHATML_TEMPLATE =
  "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";
