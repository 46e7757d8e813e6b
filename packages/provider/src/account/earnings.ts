import { ProviderEarningsSchema, type EarningsDay } from "@darkbloom/protocol";

/** What `darkbloom status` shows for a provider linked by `darkbloom login`. */
export interface DeviceEarningsView {
  account_id: string;
  /** The account's withdrawable provider earnings (all its devices). */
  balance_micros: number;
  device_id: string;
  /** This device over the coordinator's default window (30 days), and per UTC day. */
  earned_micros: number;
  requests: number;
  days: EarningsDay[];
}

/**
 * This device's earnings from `GET /v1/provider/earnings`, authenticated with the provider's account
 * token. Undefined when the coordinator cannot say (unreachable, refused, slow): status answers
 * anyway, so this never throws and gives up after `timeoutMs`.
 */
export async function fetchDeviceEarnings(origin: string, accountToken: string, deviceId: string, timeoutMs = 3_000): Promise<DeviceEarningsView | undefined> {
  try {
    const res = await fetch(`${origin}/v1/provider/earnings`, { headers: { authorization: `Bearer ${accountToken}` }, signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) return undefined;
    const parsed = ProviderEarningsSchema.safeParse(await res.json());
    if (!parsed.success) return undefined;
    const mine = parsed.data.devices.find((d) => d.device_id === deviceId);
    return {
      account_id: parsed.data.account_id,
      balance_micros: parsed.data.balance_micros,
      device_id: deviceId,
      earned_micros: mine?.earned_micros ?? 0,
      requests: mine?.requests ?? 0,
      days: mine?.days ?? [],
    };
  } catch {
    return undefined;
  }
}
