import { UsageError } from "../usage-error.js";
import { intOption, parseFlags, printHelp } from "./parse-flags.js";
import type { SubCommand } from "./types.js";

const USAGE = `usage: darkbloom proxy --coordinator URL [--api-key KEY] [--port 8090] [--host 127.0.0.1] [--max-body-bytes N]
                       [--min-trust self_signed|hardware] [--pin-identity KEY[,KEY…]]

  An OpenAI- and Anthropic-compatible server that makes any client end-to-end private: every
  inference request (chat, completions, responses, messages, count_tokens) is sealed to attested
  providers here and the reply stream is decrypted here, so the coordinator never sees the prompt
  or the answer. Point a client at it by changing only its base URL:
    openai:    http://127.0.0.1:8090/v1      anthropic: http://127.0.0.1:8090
  Clients need no API key: the proxy holds it (from DARKBLOOM_API_KEY or --api-key; the variable keeps
  it out of the process list), which is why it binds to 127.0.0.1 unless --host says otherwise.
  URL is the coordinator's http(s) root or API root (…/v1). Every provider's attestation is verified
  before anything is sealed to it; --min-trust raises the trust level required and --pin-identity
  seals only to these provider identity keys (base64, from GET /v1/providers/attestation).`;

export const command: SubCommand = {
  summary: "proxy --coordinator URL [--port 8090]   a local end-to-end private OpenAI/Anthropic endpoint",
  usage: USAGE,
  async run(argv) {
    const { values } = parseFlags(argv, {
      coordinator: { type: "string" },
      "api-key": { type: "string" },
      port: { type: "string" },
      host: { type: "string" },
      "max-body-bytes": { type: "string" },
      "min-trust": { type: "string" },
      "pin-identity": { type: "string" },
    });
    if (values.help) return printHelp(USAGE);
    const coordinator = values.coordinator;
    if (typeof coordinator !== "string" || coordinator.length === 0) throw new UsageError("--coordinator URL is required");
    const apiKey = (values["api-key"]) ?? process.env.DARKBLOOM_API_KEY;
    if (apiKey === undefined || apiKey.length === 0) throw new UsageError("an API key is required: DARKBLOOM_API_KEY or --api-key");
    if (!/^[\x21-\x7e]{1,512}$/.test(apiKey)) throw new UsageError("the API key must be printable ASCII without spaces");
    const port = intOption("port", values.port, 8090, 0, 65535);
    const maxBodyBytes = intOption("max-body-bytes", values["max-body-bytes"], 4 * 1024 * 1024, 1024, 64 * 1024 * 1024);
    const host = (values.host) ?? "127.0.0.1";
    const minTrust = values["min-trust"] ?? "self_signed";
    if (minTrust !== "self_signed" && minTrust !== "hardware") throw new UsageError("--min-trust must be self_signed or hardware");
    const pins = values["pin-identity"]?.split(",").map((k) => k.trim()).filter((k) => k.length > 0);

    const { startPrivateProxy, coordinatorRoot } = await import("@darkbloom/sdk");
    try {
      coordinatorRoot(coordinator);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const { trustPolicy } = await import("@darkbloom/sdk");
    try {
      trustPolicy({ minTrust, ...(pins !== undefined && { pinnedIdentityKeys: pins }) });
    } catch (err) {
      throw new UsageError((err as Error).message.replace("pinnedIdentityKeys", "--pin-identity"));
    }
    const proxy = await startPrivateProxy({ coordinator, apiKey, port, host, maxBodyBytes, minTrust, ...(pins !== undefined && { pinnedIdentityKeys: pins }) });
    process.stdout.write(
      `darkbloom proxy listening on ${proxy.url} → ${coordinatorRoot(coordinator)} (end-to-end sealed)\n` +
        `  openai base URL: ${proxy.url}/v1   anthropic base URL: ${proxy.url}\n`,
    );
    if (host !== "127.0.0.1" && host !== "::1" && host !== "localhost") {
      process.stderr.write(`warning: bound to ${host}; anyone who can reach it spends this API key\n`);
    }
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
    await proxy.close();
    return 0;
  },
};

