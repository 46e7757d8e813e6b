import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { DeviceLoginError, deviceLogin, saveAccount, accountTokenPath } from "../../account/index.js";
import { configDir, loadOrCreateIdentity } from "../../identity/identity-store.js";
import { coordinatorHttpOrigin } from "./account-origin.js";
import { parseFlags, printHelp } from "./parse-flags.js";
import type { SubCommand } from "./types.js";

const usage = `usage: darkbloom login [--coordinator URL]

  Links this provider to your account (RFC 8628 device login). Prints a code and a URL: open the
  URL, log in, check the code and approve. The account token is then kept in the config dir
  (account.json, mode 0600) and sent whenever the provider connects (instead of the enrollment
  token): its earnings go to your account, and what it earned before moves there. Restart a
  running provider to use it. The coordinator: --coordinator, else provider.toml, else the default.`;

const clientName = () => hostname().replace(/[^\x20-\x7e]/g, "?").slice(0, 64);

export const command: SubCommand = {
  summary: "link this provider to your account (device code)",
  usage,
  async run(argv) {
    const { values } = parseFlags(argv, { coordinator: { type: "string" } });
    if (values.help) return printHelp(usage);
    const origin = await coordinatorHttpOrigin(values.coordinator);
    const dir = configDir();
    const identity = await loadOrCreateIdentity(dir);
    try {
      const grant = await deviceLogin(
        origin,
        identity,
        {
          fetch,
          sleep: (ms) => sleep(ms),
          now: Date.now,
          prompt: (code) =>
            process.stdout.write(
              `To link this provider to your account, open\n\n  ${code.verification_uri_complete}\n\n` +
                `and check that it shows the code  ${code.user_code}  (or enter it at ${code.verification_uri}).\n` +
                `Waiting for approval (the code expires in ${Math.round(code.expires_in / 60)} min)…\n`,
            ),
        },
        clientName(),
      );
      await saveAccount(dir, {
        version: 1,
        coordinator: origin,
        access_token: grant.access_token,
        account_id: grant.account_id,
        device_id: grant.device_id,
        created_at: new Date().toISOString(),
      });
      process.stdout.write(`Linked: device ${grant.device_id} earns for account ${grant.account_id}. Token saved to ${accountTokenPath(dir)}.\n`);
      return 0;
    } catch (err) {
      if (!(err instanceof DeviceLoginError) && !(err instanceof TypeError)) throw err;
      process.stderr.write(`darkbloom login: ${err.message}\n`);
      return 1;
    }
  },
};
