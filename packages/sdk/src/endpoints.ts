import { API_PATHS, type ApiKind } from "@darkbloom/protocol";
import { endpointKey } from "./http.js";

/**
 * Where the coordinator's APIs live, from the base URL a client was given. The openai client takes
 * the API root (`http://host:8080/v1`); the Anthropic client takes the coordinator's root
 * (`http://host:8080`) and appends `/v1/messages` itself. Both forms are accepted: a base URL ending
 * in `/v1` is the API root, anything else is the coordinator root (under which `/v1` lives).
 */
export interface Endpoints {
  /** The API root, e.g. `http://host:8080/v1` (provider keys are fetched from here). */
  apiBase: string;
  /** The family of an intercepted POST URL, or undefined (then the request passes through). */
  kindOf(url: string): ApiKind | undefined;
  url(kind: ApiKind): string;
}

export function resolveEndpoints(baseURL: string): Endpoints {
  const trimmed = baseURL.replace(/\/+$/, "");
  const apiBase = /\/v1$/.test(trimmed) ? trimmed : `${trimmed}/v1`;
  const byKey = new Map<string, ApiKind>();
  for (const [kind, path] of Object.entries(API_PATHS) as [ApiKind, string][]) byKey.set(endpointKey(`${apiBase}${path}`), kind);
  return {
    apiBase,
    kindOf: (url) => byKey.get(endpointKey(url)),
    url: (kind) => `${apiBase}${API_PATHS[kind]}`,
  };
}
