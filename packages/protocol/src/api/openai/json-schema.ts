/**
 * OpenAI structured-output JSON Schemas → the subset a grammar can enforce (node-llama-cpp's
 * `GbnfJsonSchema`: the provider compiles it to a GBNF grammar). Pure, no I/O.
 *
 * Every constraint in the result is enforced token by token, so the output always validates against
 * the client's schema. A keyword we cannot enforce (`pattern`, `minimum`, `multipleOf`, most string
 * `format`s, `allOf`, `not`, …) is refused with a SchemaError naming it, never dropped: a client
 * relying on it must not get output that breaks it. Annotations (`title`, `description`, …) are
 * ignored. Tighter than JSON Schema in two harmless ways: every listed property is emitted, and an
 * object without `additionalProperties` gets none — output valid under the schema either way.
 *
 * `strict: true` adds OpenAI's strict-mode rules: the root is an object, every object lists all its
 * properties in `required` and sets `additionalProperties: false`.
 */

export type GrammarSchema = { readonly [key: string]: GrammarSchemaValue };
type GrammarSchemaValue = string | number | boolean | null | readonly GrammarSchemaValue[] | GrammarSchema;

export class SchemaError extends Error {
  override readonly name = "SchemaError";
  /** Dotted path inside the schema (`properties.age.minimum`), "" for the root. */
  readonly path: string;
  constructor(message: string, path: string) {
    super(path === "" ? message : `${path}: ${message}`);
    this.path = path;
  }
}

export const SCHEMA_LIMITS = { maxDepth: 32, maxNodes: 5000, maxEnumValues: 1000 } as const;

const ANNOTATIONS = new Set([
  "title", "description", "$schema", "$id", "$comment", "default", "examples", "deprecated", "readOnly", "writeOnly",
]);
const ENFORCED_FORMATS = new Set(["date-time", "time", "date"]);
const PRIMITIVE_TYPES = new Set(["string", "number", "integer", "boolean", "null"]);
const TYPES = new Set([...PRIMITIVE_TYPES, "object", "array"]);
/** Keywords handled per type; anything else that is not an annotation is refused. */
const KEYWORDS: Readonly<Record<string, ReadonlySet<string>>> = {
  object: new Set(["type", "properties", "required", "additionalProperties", "minProperties", "maxProperties"]),
  array: new Set(["type", "items", "prefixItems", "minItems", "maxItems"]),
  string: new Set(["type", "minLength", "maxLength", "format"]),
  number: new Set(["type"]),
  integer: new Set(["type"]),
  boolean: new Set(["type"]),
  null: new Set(["type"]),
};

type Json = Record<string, unknown>;
const isRecord = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const isPrimitive = (v: unknown): v is string | number | boolean | null =>
  v === null || typeof v === "string" || typeof v === "boolean" || (typeof v === "number" && Number.isFinite(v));

interface Ctx {
  strict: boolean;
  defs: ReadonlySet<string>;
  nodes: number;
}

/** Converts (and checks) a client schema; throws SchemaError naming the offending keyword. */
export function toGrammarSchema(schema: unknown, opts: { strict: boolean }): GrammarSchema {
  if (!isRecord(schema)) throw new SchemaError("a schema must be a JSON object", "");
  const rawDefs = schema["$defs"] ?? schema["definitions"];
  if (rawDefs !== undefined && !isRecord(rawDefs)) throw new SchemaError("$defs must be an object", "$defs");
  const ctx: Ctx = { strict: opts.strict, defs: new Set(Object.keys(rawDefs ?? {})), nodes: 0 };
  if (opts.strict && schema["type"] !== "object") {
    throw new SchemaError("with strict: true the root schema must be an object (type: \"object\")", "type");
  }
  const { $defs: _d, definitions: _f, ...root } = schema;
  const out: Record<string, GrammarSchemaValue> = { ...convert(root, "", ctx, 0) };
  if (rawDefs) {
    const defs: Record<string, GrammarSchema> = {};
    for (const [name, def] of Object.entries(rawDefs)) defs[name] = convert(def, `$defs.${name}`, ctx, 1);
    out["$defs"] = defs;
  }
  return out;
}

function convert(node: unknown, path: string, ctx: Ctx, depth: number): GrammarSchema {
  if (depth > SCHEMA_LIMITS.maxDepth) throw new SchemaError(`nesting deeper than ${SCHEMA_LIMITS.maxDepth} levels`, path);
  if (++ctx.nodes > SCHEMA_LIMITS.maxNodes) throw new SchemaError(`more than ${SCHEMA_LIMITS.maxNodes} schema nodes`, path);
  if (!isRecord(node)) throw new SchemaError("a schema must be a JSON object", path);
  const at = (k: string) => (path === "" ? k : `${path}.${k}`);
  const keys = Object.keys(node).filter((k) => !ANNOTATIONS.has(k));
  const only = (allowed: readonly string[]): void => {
    const extra = keys.find((k) => !allowed.includes(k));
    if (extra !== undefined) throw new SchemaError(`${extra} cannot be combined with ${allowed[0]} here`, at(extra));
  };

  if ("$ref" in node) {
    only(["$ref"]);
    const ref = node["$ref"];
    const m = typeof ref === "string" ? /^#\/(?:\$defs|definitions)\/([^/]+)$/.exec(ref) : null;
    if (!m || !ctx.defs.has(m[1] ?? "")) throw new SchemaError("only references to the root's $defs (#/$defs/name) are supported", at("$ref"));
    return { $ref: `#/$defs/${m[1]}` };
  }
  if ("const" in node) {
    only(["const"]);
    if (!isPrimitive(node["const"])) throw new SchemaError("const must be a string, number, boolean or null", at("const"));
    return { const: node["const"] };
  }
  if ("enum" in node) {
    const values = node["enum"];
    if (!Array.isArray(values) || values.length === 0 || values.length > SCHEMA_LIMITS.maxEnumValues || !values.every(isPrimitive)) {
      throw new SchemaError(`enum must list 1–${SCHEMA_LIMITS.maxEnumValues} strings, numbers, booleans or nulls`, at("enum"));
    }
    only(["enum", "type"]);
    return { enum: values };
  }
  for (const key of ["anyOf", "oneOf"] as const) {
    if (!(key in node)) continue;
    only([key]);
    const alts = node[key];
    if (!Array.isArray(alts) || alts.length === 0) throw new SchemaError(`${key} must be a non-empty array`, at(key));
    return { oneOf: alts.map((alt, i) => convert(alt, `${at(key)}.${i}`, ctx, depth + 1)) };
  }
  const type = node["type"];
  if (type === undefined) {
    if (ctx.strict) throw new SchemaError("with strict: true every schema needs a type", path);
    if (keys.length > 0) throw new SchemaError(`${keys[0]} is not supported without a type`, at(keys[0] ?? ""));
    return anyJson();
  }
  if (Array.isArray(type)) {
    if (type.length === 0 || !type.every((t) => typeof t === "string" && TYPES.has(t))) {
      throw new SchemaError("type must name JSON types", at("type"));
    }
    if (type.every((t) => PRIMITIVE_TYPES.has(t as string)) && keys.every((k) => k === "type")) return { type };
    const anyTypeTakes = (k: string) => type.some((t) => KEYWORDS[t as string]?.has(k));
    const stray = keys.find((k) => !anyTypeTakes(k));
    if (stray !== undefined) throw new SchemaError(`${stray} is not supported here (it cannot be enforced while generating)`, at(stray));
    // Each alternative takes the keywords of its own type (maxLength goes to the string, …).
    return {
      oneOf: type.map((t) => {
        const own = Object.fromEntries(Object.entries(node).filter(([k]) => KEYWORDS[t as string]?.has(k)));
        return convert({ ...own, type: t }, path, ctx, depth + 1);
      }),
    };
  }
  if (typeof type !== "string" || !TYPES.has(type)) throw new SchemaError("type must be a JSON type", at("type"));
  const allowed = KEYWORDS[type] ?? new Set<string>();
  const refused = keys.find((k) => !allowed.has(k));
  if (refused !== undefined) {
    throw new SchemaError(`${refused} is not supported for ${type} schemas (it cannot be enforced while generating)`, at(refused));
  }
  if (type === "object") return convertObject(node, path, ctx, depth);
  if (type === "array") return convertArray(node, path, ctx, depth);
  if (type === "string") return convertString(node, path);
  return { type };
}

function convertObject(node: Json, path: string, ctx: Ctx, depth: number): GrammarSchema {
  const at = (k: string) => (path === "" ? k : `${path}.${k}`);
  const props = node["properties"] ?? {};
  if (!isRecord(props)) throw new SchemaError("properties must be an object", at("properties"));
  const required = node["required"] ?? [];
  if (!Array.isArray(required) || !required.every((r) => typeof r === "string")) {
    throw new SchemaError("required must be an array of property names", at("required"));
  }
  const additional = node["additionalProperties"];
  if (ctx.strict) {
    if (additional !== false) throw new SchemaError("with strict: true, additionalProperties must be false", at("additionalProperties"));
    const missing = Object.keys(props).find((p) => !required.includes(p));
    if (missing !== undefined) throw new SchemaError(`with strict: true, required must list every property (missing ${missing})`, at("required"));
  }
  const unknown = (required as string[]).find((r) => !(r in props));
  if (unknown !== undefined && (additional === false || additional === undefined)) {
    throw new SchemaError(`required names ${unknown}, which is not in properties`, at("required"));
  }
  const out: Record<string, GrammarSchemaValue> = { type: "object" };
  const properties: Record<string, GrammarSchema> = {};
  for (const [name, sub] of Object.entries(props)) properties[name] = convert(sub, `${at("properties")}.${name}`, ctx, depth + 1);
  out["properties"] = properties;
  if (additional === true) out["additionalProperties"] = true;
  else if (isRecord(additional)) out["additionalProperties"] = convert(additional, at("additionalProperties"), ctx, depth + 1);
  else if (additional !== undefined && additional !== false) throw new SchemaError("additionalProperties must be a boolean or a schema", at("additionalProperties"));
  copyCount(node, out, "minProperties", path);
  copyCount(node, out, "maxProperties", path);
  return out;
}

function convertArray(node: Json, path: string, ctx: Ctx, depth: number): GrammarSchema {
  const at = (k: string) => (path === "" ? k : `${path}.${k}`);
  const out: Record<string, GrammarSchemaValue> = { type: "array" };
  if (node["items"] !== undefined) out["items"] = convert(node["items"], at("items"), ctx, depth + 1);
  const prefix = node["prefixItems"];
  if (prefix !== undefined) {
    if (!Array.isArray(prefix)) throw new SchemaError("prefixItems must be an array", at("prefixItems"));
    out["prefixItems"] = prefix.map((p, i) => convert(p, `${at("prefixItems")}.${i}`, ctx, depth + 1));
  }
  copyCount(node, out, "minItems", path);
  copyCount(node, out, "maxItems", path);
  return out;
}

function convertString(node: Json, path: string): GrammarSchema {
  const at = (k: string) => (path === "" ? k : `${path}.${k}`);
  const format = node["format"];
  if (format !== undefined) {
    if (typeof format !== "string" || !ENFORCED_FORMATS.has(format)) {
      throw new SchemaError(`format must be one of ${[...ENFORCED_FORMATS].join(", ")} (others cannot be enforced)`, at("format"));
    }
    if (node["minLength"] !== undefined || node["maxLength"] !== undefined) {
      throw new SchemaError("format cannot be combined with minLength/maxLength", at("format"));
    }
    return { type: "string", format };
  }
  const out: Record<string, GrammarSchemaValue> = { type: "string" };
  copyCount(node, out, "minLength", path);
  copyCount(node, out, "maxLength", path);
  return out;
}

function copyCount(node: Json, out: Record<string, GrammarSchemaValue>, key: string, path: string): void {
  const v = node[key];
  if (v === undefined) return;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0) {
    throw new SchemaError(`${key} must be a non-negative integer`, path === "" ? key : `${path}.${key}`);
  }
  out[key] = v;
}

/** Any JSON value (a schema without a type, allowed when not strict). */
function anyJson(): GrammarSchema {
  return {
    oneOf: [{ type: ["string", "number", "boolean", "null"] }, { type: "object", additionalProperties: true }, { type: "array" }],
  };
}
