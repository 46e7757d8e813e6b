/** A provider slot's load as admission sees it: tokens and sequences in use against its maximum. */
export interface SlotLoad {
  tokensUsed: number;
  tokensMax: number;
  sequencesUsed: number;
  sequencesMax: number;
}

/**
 * Tokens one request occupies in a slot: its prompt estimate plus max_tokens, at least 1 and at
 * most the model's context (a request never holds more than one sequence; a provider fits an
 * omitted max_tokens into the context it has).
 */
export function requestTokens(inputTokens: number, maxTokens: number, contextLength: number): number {
  const want = Math.max(0, inputTokens) + Math.max(0, maxTokens);
  return Math.max(1, contextLength > 0 ? Math.min(want, contextLength) : want);
}

/**
 * SPEC token-budget admission: used + queued + coordinator-pending + need ≤ the slot's budget max,
 * and a free sequence (running + waiting + pending < max concurrency), so a provider never gets
 * more requests than it runs at once and no request waits inside a provider's own queue. An idle
 * slot always takes one request, however small its budget.
 */
export function fitsSlot(load: SlotLoad, tokens: number): boolean {
  if (load.sequencesUsed >= load.sequencesMax) return false;
  if (load.tokensUsed <= 0) return true;
  return load.tokensUsed + Math.min(tokens, load.tokensMax) <= load.tokensMax;
}
