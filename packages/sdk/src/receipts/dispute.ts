import type { DisputeRequest } from "@darkbloom/protocol";
import type { DisputeOutcome } from "./errors.js";

/** Files `POST {apiBase}/disputes` with the receipt; never throws (the outcome says what happened). */
export async function fileDispute(fetchFn: typeof fetch, apiBase: string, apiKey: string, body: DisputeRequest): Promise<DisputeOutcome> {
  try {
    const res = await fetchFn(`${apiBase}/disputes`, {
      method: "POST",
      headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    await res.body?.cancel().catch(() => undefined);
    return res.status === 200 || res.status === 201 ? { filed: true, status: res.status } : { filed: false, reason: "refused", status: res.status };
  } catch {
    return { filed: false, reason: "network" };
  }
}
