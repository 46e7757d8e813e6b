import { loadAccount, removeAccount } from "../../account/index.js";
import { configDir } from "../../identity/identity-store.js";
import { parseFlags, printHelp } from "./parse-flags.js";
import type { SubCommand } from "./types.js";

const usage = `usage: darkbloom logout

  Revokes this provider's account token at the coordinator that issued it (the provider is unlinked:
  what it earns from then on accrues to its own identity until the next login) and deletes it from
  the config dir. Restart a running provider for it to take effect.`;

export const command: SubCommand = {
  summary: "unlink this provider from your account",
  usage,
  async run(argv) {
    const { values } = parseFlags(argv, {});
    if (values.help) return printHelp(usage);
    const dir = configDir();
    const account = await loadAccount(dir);
    if (!account) {
      process.stdout.write("Not logged in.\n");
      return 0;
    }
    let revoked = false;
    try {
      const res = await fetch(`${account.coordinator}/v1/device/revoke`, {
        method: "POST",
        headers: { authorization: `Bearer ${account.access_token}` },
        signal: AbortSignal.timeout(10_000),
      });
      revoked = res.ok || res.status === 401; // 401: already revoked
      if (!revoked) process.stderr.write(`darkbloom logout: the coordinator answered HTTP ${res.status}; the token may still be valid there\n`);
    } catch (err) {
      process.stderr.write(`darkbloom logout: could not reach ${account.coordinator} (${(err as Error).message}); the token may still be valid there\n`);
    }
    await removeAccount(dir);
    process.stdout.write(`Logged out: device ${account.device_id} is no longer linked${revoked ? "" : " locally (revocation not confirmed)"}.\n`);
    return 0;
  },
};
