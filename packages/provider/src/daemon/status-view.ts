import type { ProviderStatus } from "./control/messages.js";

function duration(s: number): string {
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = Math.floor(s % 60);
  return [d && `${d}d`, (d || h) && `${h}h`, (d || h || m) && `${m}m`, `${sec}s`].filter(Boolean).join(" ");
}

const usd = (micros: number) => `$${(micros / 1_000_000).toFixed(6)}`;

function account(st: ProviderStatus): string {
  if (!st.linked) return "unlinked (earnings accrue to this provider's identity until you run `darkbloom login`)";
  const dev = st.device_earnings;
  if (dev) {
    const today = dev.days.find((d) => d.day === new Date().toISOString().slice(0, 10));
    return `linked to ${dev.account_id} (balance ${usd(dev.balance_micros)}); this device ${dev.device_id}: ${usd(dev.earned_micros)} over ${dev.requests} requests, today ${usd(today?.earned_micros ?? 0)}`;
  }
  if (!st.earnings) return "linked (earnings: the coordinator did not answer)";
  return `linked, earned ${usd(st.earnings.provider_micros)} serving + ${usd(st.earnings.referral_micros)} referrals`;
}

/** `darkbloom status` for people. */
export function formatStatus(st: ProviderStatus): string {
  const lines = [
    `darkbloom provider (pid ${st.pid}, version ${st.version})`,
    `  coordinator:  ${st.coordinator}`,
    `  connection:   ${st.connection}${st.paused_by_schedule ? " (outside the availability schedule)" : ""}`,
    `  provider id:  ${st.provider_id ?? "-"}`,
    `  trust level:  ${st.trust_level ?? "-"}`,
    `  account:      ${account(st)}`,
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
