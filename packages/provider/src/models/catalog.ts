import { CatalogEntrySchema, type CatalogEntry } from "@darkbloom/protocol";
import { z } from "zod";

/** The coordinator's HTTP origin from `--coordinator` (http(s) base, or the provider ws(s) URL). */
export function coordinatorHttpBase(input: string): string {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new Error(`--coordinator must be a URL like http://127.0.0.1:8080, got ${JSON.stringify(input)}`);
  }
  if (url.protocol === "ws:") url.protocol = "http:";
  else if (url.protocol === "wss:") url.protocol = "https:";
  else if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error(`--coordinator must use http, https, ws or wss, got ${url.protocol}`);
  return url.origin;
}

const ListSchema = z.object({ object: z.literal("list"), data: z.array(z.unknown()) });

/** Entries of GET /v1/models/catalog; an entry that fails validation is dropped (and counted). */
export async function fetchCatalog(coordinator: string, doFetch: typeof fetch = fetch): Promise<{ entries: CatalogEntry[]; invalid: number }> {
  const url = `${coordinatorHttpBase(coordinator)}/v1/models/catalog`;
  let res: Response;
  try {
    res = await doFetch(url, { signal: AbortSignal.timeout(30_000) });
  } catch (err) {
    throw new Error(`cannot reach ${url}: ${(err as Error).message}`);
  }
  if (!res.ok) throw new Error(`${url} answered HTTP ${res.status}`);
  const list = ListSchema.safeParse(await res.json().catch(() => undefined));
  if (!list.success) throw new Error(`${url} did not answer a catalog list`);
  const entries: CatalogEntry[] = [];
  let invalid = 0;
  for (const item of list.data.data) {
    const parsed = CatalogEntrySchema.safeParse(item);
    if (parsed.success) entries.push(parsed.data);
    else invalid++;
  }
  return { entries, invalid };
}

/** `ID` (the newest registered version) or `ID@VERSION`. */
export function pickEntry(entries: readonly CatalogEntry[], ref: string): CatalogEntry | undefined {
  const at = ref.lastIndexOf("@");
  const [id, version] = at > 0 ? [ref.slice(0, at), ref.slice(at + 1)] : [ref, undefined];
  const matches = entries.filter((e) => e.model_id === id && (version === undefined || e.version === version));
  return matches.sort((a, b) => b.registered_at - a.registered_at)[0];
}
