import { chmod, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { ACCOUNT_TOKEN_RE } from "@darkbloom/protocol";

/**
 * The provider's account token from `darkbloom login`, kept in the config dir beside the identity
 * (file 0600, dir 0700). It is sent as the bearer on the WebSocket upgrade and links this
 * provider's earnings to the account; `darkbloom logout` revokes and removes it.
 */

const FILE = "account.json";

export const StoredAccountSchema = z.object({
  version: z.literal(1),
  /** The coordinator's HTTP origin the token was issued by. */
  coordinator: z.string().min(1).max(2048),
  access_token: z.string().regex(ACCOUNT_TOKEN_RE),
  account_id: z.string().min(1).max(128),
  device_id: z.string().min(1).max(64),
  created_at: z.string(),
});
export type StoredAccount = z.infer<typeof StoredAccountSchema>;

export const accountTokenPath = (dir: string): string => join(dir, FILE);

/** The stored account, or undefined when not logged in. A corrupt file is an error (not silently unlinked). */
export async function loadAccount(dir: string): Promise<StoredAccount | undefined> {
  const file = accountTokenPath(dir);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  try {
    return StoredAccountSchema.parse(JSON.parse(text));
  } catch (err) {
    throw new Error(`${file} is corrupt (${(err as Error).message.split("\n")[0]}): run \`darkbloom logout\` and \`darkbloom login\` again`);
  }
}

export async function saveAccount(dir: string, account: StoredAccount): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = accountTokenPath(dir);
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(account)}\n`, { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, file);
}

/** False when there was none. */
export async function removeAccount(dir: string): Promise<boolean> {
  const file = accountTokenPath(dir);
  try {
    await readFile(file);
  } catch {
    return false;
  }
  await rm(file, { force: true });
  return true;
}
