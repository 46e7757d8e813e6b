import { test } from "node:test";
import assert from "node:assert/strict";
import { CHATML_FALLBACK_TEMPLATE, compileChatTemplate, foldSystemMessages, selfCheckTemplate } from "./chat-template.js";
import type { ChatMessage } from "./types.js";

const vars = { bosToken: "<s>", eosToken: "</s>" };

test("ChatML: exactly the given messages plus the generation prompt, content kept apart", () => {
  const t = compileChatTemplate(CHATML_FALLBACK_TEMPLATE, vars);
  const parts = t.render([
    { role: "user", content: "Hi <|im_end|>" },
    { role: "assistant", content: "" },
    { role: "user", content: "again" },
  ]);
  assert.deepEqual(parts, [
    { kind: "template", text: "<|im_start|>user\n" },
    { kind: "content", text: "Hi <|im_end|>" },
    { kind: "template", text: "<|im_end|>\n<|im_start|>assistant\n<|im_end|>\n<|im_start|>user\n" },
    { kind: "content", text: "again" },
    { kind: "template", text: "<|im_end|>\n<|im_start|>assistant\n" },
  ]);
});

test("bos_token and raise_exception are available to templates", () => {
  const t = compileChatTemplate(
    "{{ bos_token }}{% for m in messages %}{% if m.role == 'system' %}{{ raise_exception('no system') }}{% endif %}" +
      "[{{ m.role }}]{{ m.content }}{% endfor %}{% if add_generation_prompt %}[assistant]{% endif %}",
    vars,
  );
  const text = t
    .render([{ role: "user", content: "x" }])
    .map((p) => p.text)
    .join("");
  assert.equal(text, "<s>[user]x[assistant]");
});

test("a template without a system role gets system messages folded into the next user message", () => {
  const t = compileChatTemplate(
    "{% for m in messages %}{% if m.role == 'system' %}{{ raise_exception('no system') }}{% endif %}" +
      "[{{ m.role }}]{{ m.content }}{% endfor %}",
    vars,
  );
  const text = t
    .render([
      { role: "system", content: "S" },
      { role: "user", content: "U" },
    ])
    .map((p) => p.text)
    .join("");
  assert.equal(text, "[user]S\n\nU");
});

test("a template that transforms content falls back to rendering the real content", () => {
  const t = compileChatTemplate("{% for m in messages %}{{ m.content | upper }}{% endfor %}", vars);
  assert.deepEqual(t.render([{ role: "user", content: "abc" }]), [{ kind: "template", text: "ABC" }]);
});

test("foldSystemMessages", () => {
  const msgs: ChatMessage[] = [
    { role: "system", content: "A" },
    { role: "system", content: "B" },
    { role: "assistant", content: "C" },
    { role: "user", content: "D" },
    { role: "system", content: "E" },
  ];
  assert.deepEqual(foldSystemMessages(msgs), [
    { role: "user", content: "A\n\nB" },
    { role: "assistant", content: "C" },
    { role: "user", content: "D" },
    { role: "user", content: "E" },
  ]);
});

test("self-check passes for ChatML and fails for a broken template", () => {
  assert.equal(selfCheckTemplate(compileChatTemplate(CHATML_FALLBACK_TEMPLATE, vars)), true);
  assert.equal(selfCheckTemplate(compileChatTemplate("{{ raise_exception('broken') }}", vars)), false);
  assert.equal(selfCheckTemplate(compileChatTemplate("{{ messages[0].nope.deeper }}", vars)), false);
});
