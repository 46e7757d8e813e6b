import assert from "node:assert/strict";
import { test } from "node:test";
import { SchemaError, toGrammarSchema } from "./json-schema.js";

const person = {
  type: "object",
  title: "Person",
  properties: {
    name: { type: "string", maxLength: 8, description: "given name" },
    age: { type: "integer" },
    tags: { type: "array", items: { enum: ["a", "b"] }, maxItems: 2 },
    pet: { anyOf: [{ type: "null" }, { $ref: "#/$defs/pet" }] },
  },
  required: ["name", "age", "tags", "pet"],
  additionalProperties: false,
  $defs: { pet: { type: "object", properties: { kind: { const: "cat" } }, required: ["kind"], additionalProperties: false } },
};

test("an enforceable schema converts; annotations are dropped, anyOf becomes oneOf, $defs kept at the root", () => {
  const out = toGrammarSchema(person, { strict: true });
  assert.deepEqual(out, {
    type: "object",
    properties: {
      name: { type: "string", maxLength: 8 },
      age: { type: "integer" },
      tags: { type: "array", items: { enum: ["a", "b"] }, maxItems: 2 },
      pet: { oneOf: [{ type: "null" }, { $ref: "#/$defs/pet" }] },
    },
    $defs: { pet: { type: "object", properties: { kind: { const: "cat" } } } },
  });
});

test("type arrays: primitives stay a list, constrained types become alternatives", () => {
  assert.deepEqual(toGrammarSchema({ type: ["string", "null"] }, { strict: false }), { type: ["string", "null"] });
  assert.deepEqual(toGrammarSchema({ type: ["string", "null"], maxLength: 3 }, { strict: false }), {
    oneOf: [{ type: "string", maxLength: 3 }, { type: "null" }],
  });
});

test("keywords that cannot be enforced are refused with their path, never dropped", () => {
  const cases: [unknown, string][] = [
    [{ type: "object", properties: { age: { type: "integer", minimum: 0 } } }, "properties.age.minimum"],
    [{ type: "object", properties: { s: { type: "string", pattern: "^a" } } }, "properties.s.pattern"],
    [{ type: "object", properties: { s: { type: "string", format: "email" } } }, "properties.s.format"],
    [{ type: "object", properties: { x: { allOf: [] } } }, "properties.x.allOf"],
    [{ type: "object", properties: { r: { $ref: "#/$defs/missing" } } }, "properties.r.$ref"],
    [{ type: "object", properties: { c: { const: { a: 1 } } } }, "properties.c.const"],
    ["not a schema", ""],
  ];
  for (const [schema, path] of cases) {
    assert.throws(() => toGrammarSchema(schema, { strict: false }), (e: unknown) => e instanceof SchemaError && e.path === path, path);
  }
});

test("strict: true applies OpenAI's rules (object root, all properties required, no additional properties)", () => {
  const cases: [unknown, string][] = [
    [{ type: "string" }, "type"],
    [{ type: "object", properties: { a: { type: "string" } }, required: ["a"] }, "additionalProperties"],
    [{ type: "object", properties: { a: { type: "string" } }, required: [], additionalProperties: false }, "required"],
  ];
  for (const [schema, path] of cases) {
    assert.throws(() => toGrammarSchema(schema, { strict: true }), (e: unknown) => e instanceof SchemaError && e.path === path, path);
  }
  // The same schemas are fine without strict.
  for (const [schema] of cases) toGrammarSchema(schema, { strict: false });
});

test("deep or huge schemas are refused", () => {
  let deep: Record<string, unknown> = { type: "string" };
  for (let i = 0; i < 40; i++) deep = { type: "array", items: deep };
  assert.throws(() => toGrammarSchema(deep, { strict: false }), /nesting deeper/);
  const wide = { type: "object", properties: Object.fromEntries(Array.from({ length: 6000 }, (_, i) => [`p${i}`, { type: "null" }])) };
  assert.throws(() => toGrammarSchema(wide, { strict: false }), /schema nodes/);
});
