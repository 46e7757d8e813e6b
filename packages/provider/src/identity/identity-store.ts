import { chmod, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { generateIdentityKeyPair } from "@darkbloom/protocol";

/** The provider's long-lived Ed25519 identity, kept in the config dir with mode 0600. */
export interface Identity {
  publicKey: Uint8Array;
  secretKey: Uint8Array;
}

const IdentityFileSchema = z.object({
  version: z.literal(1),
  public_key: z.string().min(1),
  secret_key: z.string().min(1),
});

export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.DARKBLOOM_CONFIG_DIR) return env.DARKBLOOM_CONFIG_DIR;
  const base = env.XDG_CONFIG_HOME || join(homedir(), ".config");
  return join(base, "darkbloom");
}

export async function loadOrCreateIdentity(dir: string): Promise<Identity> {
  const file = join(dir, "identity.json");
  try {
    const parsed = IdentityFileSchema.parse(JSON.parse(await readFile(file, "utf8")));
    return {
      publicKey: new Uint8Array(Buffer.from(parsed.public_key, "base64")),
      secretKey: new Uint8Array(Buffer.from(parsed.secret_key, "base64")),
    };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") {
      throw new Error(`identity file ${file} is unreadable or corrupt: ${(err as Error).message}`);
    }
  }
  const pair = await generateIdentityKeyPair();
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  const body = JSON.stringify({
    version: 1,
    public_key: Buffer.from(pair.publicKey).toString("base64"),
    secret_key: Buffer.from(pair.secretKey).toString("base64"),
  });
  await writeFile(tmp, body, { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, file);
  return pair;
}
