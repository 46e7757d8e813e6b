/**
 * Bounds on what one provider can put into the coordinator's model tables. Model ids come from
 * providers; without bounds a few registrations fill /v1/models with junk (500 anonymous providers
 * once published 8,001 ids, 2.5 MB).
 */

/** Models one provider may register (SPEC: up to 3 loaded per provider; room for small ones). */
export const MAX_MODELS_PER_PROVIDER = 8;
/** Longest model id accepted; real ids (`org/Model-7B-Instruct:q4_k_m`) are far shorter. */
export const MAX_MODEL_ID_LENGTH = 128;
/** Model id characters: the provider CLI's own rule (letters, digits, `_ . : / -`). */
export const MODEL_ID_RE = /^[\w.:/-]+$/;
/** A model no proven provider has served for this long is forgotten (then 404, not 503). */
export const MODEL_MEMORY_MS = 24 * 60 * 60 * 1000;
/** Most models remembered at once; when full, the least recently served one is forgotten. */
export const MAX_KNOWN_MODELS = 10_000;

/** Why `id` is not an acceptable model id, or undefined when it is. */
export function modelIdProblem(id: string): string | undefined {
  if (id.length === 0 || id.length > MAX_MODEL_ID_LENGTH) return `must be 1 to ${MAX_MODEL_ID_LENGTH} characters`;
  if (!MODEL_ID_RE.test(id)) return "may contain only letters, digits and _ . : / -";
  return undefined;
}
