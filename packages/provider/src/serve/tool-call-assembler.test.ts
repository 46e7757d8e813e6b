import assert from "node:assert/strict";
import { test } from "node:test";
import { ToolCallAssembler } from "./tool-call-assembler.js";

test("streams the name once, then the arguments, holding back the call's closing brace", () => {
  const a = new ToolCallAssembler();
  const text = '\n{ "name": "get_weather", "arguments": { "city": "Oslo", "n": {"a": 1} } }\n';
  let args = "";
  let name: string | undefined;
  for (const ch of text) {
    const p = a.push(ch);
    if (p.start) {
      assert.equal(name, undefined);
      name = p.start.name;
    }
    args += p.arguments;
  }
  const end = a.end();
  args += end.arguments;
  assert.equal(name, "get_weather");
  assert.equal(end.complete, true);
  assert.equal(args, '{ "city": "Oslo", "n": {"a": 1} }');
  assert.deepEqual(end.call, { id: a.id, name: "get_weather", arguments: args });
  assert.deepEqual(JSON.parse(args), { city: "Oslo", n: { a: 1 } });
  assert.match(a.id, /^call_[0-9a-f]{24}$/);
});

test("a call cut short keeps its partial arguments and is not complete", () => {
  const a = new ToolCallAssembler();
  a.push('{"name": "f", "arguments": {"city": "Os');
  const end = a.end();
  assert.equal(end.complete, false);
  assert.equal(end.call?.arguments, '{"city": "Os');
});

test("no name yet: nothing to report", () => {
  const a = new ToolCallAssembler();
  assert.deepEqual(a.push('{"na'), { arguments: "" });
  assert.deepEqual(a.end(), { arguments: "", call: undefined, complete: false });
});
