/** Label values from outside input, kept to a small known set (bounded cardinality). */

export const OTHER = "other";

const VERSION_RE = /^[0-9A-Za-z][0-9A-Za-z.+_-]{0,31}$/;

/** A provider-announced version: kept when it looks like a version, else "other". */
export function versionLabel(version: string): string {
  return VERSION_RE.test(version) ? version : OTHER;
}

/** A model id: kept when the coordinator knows the model (served by a proven provider), else "other". */
export function modelLabel(model: unknown, known: (id: string) => boolean): string {
  return typeof model === "string" && model.length <= 128 && known(model) ? model : OTHER;
}

/** A short machine code (error codes, outcomes): kept when it looks like one, else "other". */
export function codeLabel(code: unknown): string {
  return typeof code === "string" && /^[a-z0-9_.]{1,48}$/.test(code) ? code : OTHER;
}
