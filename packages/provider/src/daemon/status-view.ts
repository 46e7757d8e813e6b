import type { ProviderStatus } from "./control/messages.js";

function duration(s: number): string {
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = Math.floor(s % 60);
  return [d && `${d}d`, (d || h) && `${h}h`, (d || h || m) && `${m}m`, `${sec}s`].filter(Boolean).join(" ");
}

/** `darkbloom status` for people. */
export function formatStatus(st: ProviderStatus): string {
  const lines = [
    `darkbloom provider (pid ${st.pid}, version ${st.version})`,
    `  coordinator:  ${st.coordinator}`,
    `  connection:   ${st.connection}${st.paused_by_schedule ? " (outside the availability schedule)" : ""}`,
    `  provider id:  ${st.provider_id ?? "-"}`,
    `  trust level:  ${st.trust_level ?? "-"}`,
    `  account:      ${st.linked ? "linked (earnings in the account's dashboard)" : "unlinked"}`,
    `  uptime:       ${duration(st.uptime_s)}`,
    `  requests:     ${st.requests_served} served, ${st.tokens_generated} tokens generated`,
    `  models:`,
  ];
  for (const m of st.models) {
    const price = m.price ? `, price in/out ${m.price.input_per_million}/${m.price.output_per_million} µUSD per 1M tokens` : "";
    lines.push(`    ${m.id}: ${m.state}, ${m.running} running, ${m.waiting} waiting, max concurrency ${m.max_concurrency}${price}`);
  }
  return lines.join("\n");
}
