import { waitFor, type Proc, type RunningCoordinator } from "@darkbloom/testkit";

/** Connected providers, as the coordinator's /health counts them. */
export async function connectedProviders(c: RunningCoordinator, signal?: AbortSignal): Promise<number> {
  return ((await (await fetch(`${c.origin}/health`, { ...(signal && { signal }) })).json()) as { providers: number }).providers;
}

/** Waits (with a deadline) until exactly `n` providers are connected, failing early if a watched process dies. */
export async function waitForProviders(c: RunningCoordinator, n: number, watch: Proc[], timeoutMs = 120_000): Promise<void> {
  await waitFor(`${n} provider(s) connected`, async (signal) => (await connectedProviders(c, signal)) === n, timeoutMs, [c.proc, ...watch]);
}
