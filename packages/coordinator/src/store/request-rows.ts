import type { HeldReservation, RequestRecord } from "./types.js";

/** One `requests` row as the engines return it (BIGINT columns as numbers). */
export interface RequestRow {
  request_id: string;
  account_id: string;
  model: string;
  state: RequestRecord["state"];
  reserved: number;
  charged: number | null;
  shortfall: number | null;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  provider_id: string | null;
  created_at: number;
  delivered_prompt_tokens: number | null;
  delivered_completion_tokens: number | null;
  provider_account_id: string | null;
}

export const REQUEST_COLUMNS = `request_id, account_id, model, state, reserved, charged, shortfall, prompt_tokens, completion_tokens,
  provider_id, created_at, delivered_prompt_tokens, delivered_completion_tokens, provider_account_id`;

const num = (v: number | null) => (v === null ? null : Number(v));

export function requestRecordOf(row: RequestRow): RequestRecord {
  return {
    requestId: row.request_id,
    accountId: row.account_id,
    model: row.model,
    reservedMicros: Number(row.reserved),
    chargedMicros: num(row.charged),
    promptTokens: num(row.prompt_tokens),
    completionTokens: num(row.completion_tokens),
    providerId: row.provider_id,
    state: row.state,
    delivered:
      row.delivered_completion_tokens === null
        ? null
        : { promptTokens: Number(row.delivered_prompt_tokens ?? 0), completionTokens: Number(row.delivered_completion_tokens) },
  };
}

export function heldReservationOf(row: RequestRow): HeldReservation {
  return {
    requestId: row.request_id,
    accountId: row.account_id,
    model: row.model,
    reservedMicros: Number(row.reserved),
    createdAt: Number(row.created_at),
    delivered:
      row.delivered_completion_tokens === null
        ? null
        : {
            promptTokens: Number(row.delivered_prompt_tokens ?? 0),
            completionTokens: Number(row.delivered_completion_tokens),
            providerId: row.provider_id,
            ...(row.provider_account_id !== null && { providerAccountId: row.provider_account_id }),
          },
  };
}
