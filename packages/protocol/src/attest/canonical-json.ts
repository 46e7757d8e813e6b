/**
 * Canonical JSON for signing: object keys sorted by UTF-16 code units, no whitespace, ECMAScript
 * number and string serialisation (as RFC 8785 for the value types we use). Rejects values JSON
 * cannot represent faithfully (non-finite numbers, bigint, functions, symbols, cycles).
 * `undefined` object members are omitted, as JSON.stringify does.
 */
export function canonicalJson(value: unknown): string {
  return write(value, new Set());
}

function write(value: unknown, seen: Set<object>): string {
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "boolean":
      return value ? "true" : "false";
    case "number":
      if (!Number.isFinite(value)) throw new TypeError("canonicalJson: non-finite number");
      return JSON.stringify(value);
    case "object": {
      if (value === null) return "null";
      if (seen.has(value)) throw new TypeError("canonicalJson: cyclic value");
      seen.add(value);
      let out: string;
      if (Array.isArray(value)) {
        out = "[" + value.map((v: unknown) => (v === undefined ? "null" : write(v, seen))).join(",") + "]";
      } else {
        const obj = value as Record<string, unknown>;
        const parts: string[] = [];
        for (const key of Object.keys(obj).sort()) {
          const v = obj[key];
          if (v === undefined) continue;
          parts.push(JSON.stringify(key) + ":" + write(v, seen));
        }
        out = "{" + parts.join(",") + "}";
      }
      seen.delete(value);
      return out;
    }
    default:
      throw new TypeError(`canonicalJson: unsupported ${typeof value}`);
  }
}
