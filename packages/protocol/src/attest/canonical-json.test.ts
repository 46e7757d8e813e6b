import assert from "node:assert/strict";
import { test } from "node:test";
import { canonicalJson } from "./canonical-json.js";

test("key order: UTF-16 code units, insertion order and nesting never matter", () => {
  assert.equal(canonicalJson({ b: 1, a: 2, A: 3, "1": 4, "": 5 }), '{"":5,"1":4,"A":3,"a":2,"b":1}');
  // Code-unit order, not code-point order: U+1F600 (surrogates D83D DE00) sorts before U+FFFF.
  assert.equal(canonicalJson({ "\uffff": 1, "\u{1f600}": 2 }), '{"\u{1f600}":2,"\uffff":1}');
  // Precomposed and decomposed é are different keys (no Unicode normalisation), ordered by code unit.
  assert.equal(canonicalJson({ "e\u0301": 1, "\u00e9": 2 }), '{"e\u0301":1,"\u00e9":2}');
  const x = { z: { y: [{ b: 1, a: 2 }] }, a: 0 };
  const y = JSON.parse('{"a":0,"z":{"y":[{"a":2,"b":1}]}}') as unknown;
  assert.equal(canonicalJson(x), canonicalJson(y));
  // Array order is significant.
  assert.notEqual(canonicalJson([1, 2]), canonicalJson([2, 1]));
});

test("strings: non-ASCII stays literal, control characters and lone surrogates are escaped", () => {
  assert.equal(canonicalJson("héllo ✓ 😀"), '"héllo ✓ 😀"');
  assert.equal(canonicalJson("\u0000\u001f\t"), '"\\u0000\\u001f\\t"');
  assert.equal(canonicalJson("\ud800"), '"\\ud800"');
  assert.equal(canonicalJson("a\\b/c"), '"a\\\\b/c"');
});

test("numbers: ECMAScript shortest form; integers, exponents and -0 are stable", () => {
  const cases: [number, string][] = [
    [0, "0"],
    [-0, "0"],
    [1, "1"],
    [1.5, "1.5"],
    [0.1 + 0.2, "0.30000000000000004"],
    [1e21, "1e+21"],
    [1e20, "100000000000000000000"],
    [1e-7, "1e-7"],
    [0.000001, "0.000001"],
    [Number.MAX_SAFE_INTEGER, "9007199254740991"],
    [-31.5, "-31.5"],
    [5e-324, "5e-324"],
  ];
  for (const [n, s] of cases) assert.equal(canonicalJson(n), s, String(n));
  for (const bad of [Number.NaN, Infinity, -Infinity]) assert.throws(() => canonicalJson({ n: bad }), TypeError);
});

test("undefined members are dropped, undefined array items become null, other non-JSON values throw", () => {
  assert.equal(canonicalJson({ a: undefined, b: null }), '{"b":null}');
  assert.equal(canonicalJson([undefined]), "[null]");
  assert.throws(() => canonicalJson({ f: () => 1 }), TypeError);
  assert.throws(() => canonicalJson({ s: Symbol("x") }), TypeError);
  assert.throws(() => canonicalJson(undefined), TypeError);
});
