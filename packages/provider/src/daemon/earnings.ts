import { z } from "zod";

const AccountEarningsSchema = z.object({
  earnings: z.object({ provider_micros: z.number().int().nonnegative(), referral_micros: z.number().int().nonnegative() }),
});

export interface Earnings {
  provider_micros: number;
  referral_micros: number;
}

/** The coordinator's HTTP origin for its provider WebSocket URL (ws://h:p/ws/provider → http://h:p). */
export function coordinatorOrigin(socketUrl: string): string {
  const url = new URL(socketUrl);
  url.protocol = url.protocol === "wss:" ? "https:" : "http:";
  return url.origin;
}

/**
 * What the linked account has earned, from `GET /v1/account` with the account key the provider
 * links with. Undefined when the coordinator cannot say (unreachable, refused, slow): status must
 * answer anyway, so this never throws and gives up after `timeoutMs`.
 */
export async function fetchEarnings(socketUrl: string, accountKey: string, timeoutMs = 3_000): Promise<Earnings | undefined> {
  try {
    const res = await fetch(`${coordinatorOrigin(socketUrl)}/v1/account`, {
      headers: { authorization: `Bearer ${accountKey}` },
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!res.ok) return undefined;
    const parsed = AccountEarningsSchema.safeParse(await res.json());
    return parsed.success ? parsed.data.earnings : undefined;
  } catch {
    return undefined;
  }
}
