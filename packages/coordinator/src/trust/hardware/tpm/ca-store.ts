import { X509Certificate } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

const PEM_RE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const MAX_CA_FILES = 256;
const MAX_CA_FILE_BYTES = 1 << 20;

export class CaDirError extends Error {
  override readonly name = "CaDirError";
}

/**
 * Loads every certificate from the `.pem`/`.crt` files of `dir` (the operator's TPM manufacturer
 * or enterprise CAs). Throws CaDirError when the directory is unreadable, a file does not parse,
 * or no certificate is found: a misconfigured CA dir stops the coordinator at start.
 */
export function loadCaDir(dir: string): X509Certificate[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => /\.(pem|crt)$/i.test(n)).sort();
  } catch (err) {
    throw new CaDirError(`cannot read ${dir}: ${(err as Error).message}`);
  }
  if (names.length > MAX_CA_FILES) throw new CaDirError(`${dir} has ${names.length} certificate files (at most ${MAX_CA_FILES})`);
  const certs: X509Certificate[] = [];
  for (const name of names) {
    const path = join(dir, name);
    if (statSync(path).size > MAX_CA_FILE_BYTES) throw new CaDirError(`${path} is larger than ${MAX_CA_FILE_BYTES} bytes`);
    const blocks = readFileSync(path, "utf8").match(PEM_RE) ?? [];
    if (blocks.length === 0) throw new CaDirError(`${path} holds no PEM certificate`);
    for (const pem of blocks) {
      try {
        certs.push(new X509Certificate(pem));
      } catch (err) {
        throw new CaDirError(`${path}: ${(err as Error).message}`);
      }
    }
  }
  if (certs.length === 0) throw new CaDirError(`${dir} holds no .pem or .crt certificate`);
  return certs;
}
