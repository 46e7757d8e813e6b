import {
  createSseParser,
  createStreamOpener,
  decodeBase64,
  sealRequest,
  utf8Decode,
  utf8Encode,
  SealedChunkSchema,
  SealedReceiptSchema,
  SSE_EVENT_RECEIPT,
  type ProviderKeysResponse,
} from "@darkbloom/protocol";

export interface E2eResult {
  status: number;
  headers: Headers;
  /** Decrypted bytes of every sealed chunk, concatenated. */
  plaintext: string;
  errors: unknown[];
  /** The raw SSE text as received (ciphertext only). */
  raw: string;
  /** The provider's receipt as opened from `event: receipt` (JSON text), if one came. */
  receipt?: string;
}

/** What the SDK does: fetch keys, seal to them, post with `X-Darkbloom-Privacy: e2e`, open the stream. */
export async function e2eChat(
  base: string,
  apiKey: string,
  body: { model: string; stream?: boolean; max_tokens?: number; messages: { role: string; content: string }[] },
  /** The clear routing hint the client sends (a hint only: the coordinator reserves from the body size). */
  inputTokensEstimate = 32,
): Promise<E2eResult> {
  const auth = { authorization: `Bearer ${apiKey}` };
  const keysRes = await fetch(`${base}/v1/providers/keys?model=${encodeURIComponent(body.model)}`, { headers: auth });
  if (keysRes.status !== 200) throw new Error(`keys: ${keysRes.status}`);
  const keys = (await keysRes.json()) as ProviderKeysResponse;
  const recipients = keys.keys.map((k) => ({ kid: k.kid, publicKey: decodeBase64(k.public_key) }));
  const { envelope, responseKeys } = await sealRequest(utf8Encode(JSON.stringify(body)), recipients);
  const res = await fetch(`${base}/v1/chat/completions`, {
    method: "POST",
    headers: { ...auth, "content-type": "application/json", "x-darkbloom-privacy": "e2e" },
    body: JSON.stringify({
      model: body.model,
      stream: body.stream === true,
      ...(body.max_tokens !== undefined && { max_tokens: body.max_tokens }),
      input_tokens_estimate: inputTokensEstimate,
      sealed: envelope,
    }),
  });
  const raw = await res.text();
  let plaintext = "";
  const errors: unknown[] = [];
  let opener: ReturnType<typeof createStreamOpener> | undefined;
  let receipt: string | undefined;
  if (res.headers.get("content-type")?.startsWith("text/event-stream")) {
    const parser = createSseParser((ev) => {
      if (ev.event === "error") return void errors.push(JSON.parse(ev.data));
      if (ev.event === SSE_EVENT_RECEIPT) return void (receipt = utf8Decode(opener!.openReceipt(SealedReceiptSchema.parse(JSON.parse(ev.data)))));
      const chunk = SealedChunkSchema.parse(JSON.parse(ev.data));
      opener ??= createStreamOpener(responseKeys.get(chunk.kid)!);
      plaintext += utf8Decode(opener.open(chunk));
    });
    parser.push(raw);
    parser.end();
  }
  return { status: res.status, headers: res.headers, plaintext, errors, raw, ...(receipt !== undefined && { receipt }) };
}
