/** Route patterns: `/v1/keys/:id/rotate` (one segment), `/v1/models/*id` (the rest, `/` included). */
export interface CompiledPattern {
  readonly source: string;
  /** The decoded parameters, or null when the path does not match (or does not decode). */
  match(path: string): Record<string, string> | null;
}

export function isPattern(path: string): boolean {
  return /\/[:*]/.test(path);
}

export function compilePattern(source: string): CompiledPattern {
  const parts = source.split("/");
  const names: string[] = [];
  let rest = false;
  const re = parts
    .map((part, i) => {
      if (part.startsWith(":")) {
        names.push(part.slice(1));
        return "([^/]+)";
      }
      if (part.startsWith("*")) {
        if (i !== parts.length - 1) throw new Error(`route ${source}: *${part.slice(1)} must be the last segment`);
        names.push(part.slice(1));
        rest = true;
        return "(.+)";
      }
      return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    })
    .join("/");
  const regex = new RegExp(`^${re}$`);
  return {
    source,
    match(path) {
      const m = regex.exec(path);
      if (!m) return null;
      const out: Record<string, string> = {};
      try {
        names.forEach((name, i) => {
          const raw = m[i + 1]!;
          out[name] = rest && i === names.length - 1 ? raw.split("/").map(decodeURIComponent).join("/") : decodeURIComponent(raw);
        });
      } catch {
        return null; // malformed percent-encoding: no such route
      }
      return out;
    },
  };
}
