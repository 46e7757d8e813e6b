import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BudgetBook } from "./budget-book.js";
import { fitsSlot, requestTokens } from "./budget.js";
import { slot, testProvider } from "../test-support/live-provider.js";

describe("token budget", () => {
  it("a request needs its prompt estimate plus max_tokens, capped by the model's context", () => {
    assert.equal(requestTokens(100, 64, 4096), 164);
    assert.equal(requestTokens(100, 8192, 4096), 4096, "an omitted max_tokens is fitted into the context by the provider");
    assert.equal(requestTokens(0, 0, 4096), 1);
  });

  it("admits when used + need ≤ max and a sequence is free; an idle slot always takes one", () => {
    assert.equal(fitsSlot({ tokensUsed: 1000, tokensMax: 2000, sequencesUsed: 1, sequencesMax: 4 }, 1000), true);
    assert.equal(fitsSlot({ tokensUsed: 1001, tokensMax: 2000, sequencesUsed: 1, sequencesMax: 4 }, 1000), false);
    assert.equal(fitsSlot({ tokensUsed: 10, tokensMax: 2000, sequencesUsed: 4, sequencesMax: 4 }, 1), false, "no free sequence");
    assert.equal(fitsSlot({ tokensUsed: 0, tokensMax: 0, sequencesUsed: 0, sequencesMax: 1 }, 500), true);
  });
});

describe("BudgetBook", () => {
  const now = () => 0;

  it("counts what the coordinator dispatched since the last heartbeat on top of the heartbeat's numbers", () => {
    const book = new BudgetBook(now);
    const p = testProvider("a", "m");
    p.slots = new Map([["m", slot("m", { max_concurrency: 4, active_token_budget_max: 4000, active_token_budget_used: 1000, num_running: 1 })]]);
    const h = book.hold(p, "m", 500);
    assert.deepEqual(book.load(p, "m"), { tokensUsed: 1500, tokensMax: 4000, sequencesUsed: 2, sequencesMax: 4 });
    // The next heartbeat includes the dispatch: it is no longer added on top.
    p.slots = new Map([["m", slot("m", { max_concurrency: 4, active_token_budget_max: 4000, active_token_budget_used: 1500, num_running: 2 })]]);
    book.heartbeat(p);
    assert.deepEqual(book.load(p, "m"), { tokensUsed: 1500, tokensMax: 4000, sequencesUsed: 2, sequencesMax: 4 });
    // It ends before the next heartbeat: freed at once.
    book.release(h);
    assert.deepEqual(book.load(p, "m"), { tokensUsed: 1000, tokensMax: 4000, sequencesUsed: 1, sequencesMax: 4 });
  });

  it("never counts less than its own requests in flight (a heartbeat can predate a dispatch)", () => {
    const book = new BudgetBook(now);
    const p = testProvider("a", "m");
    p.slots = new Map([["m", slot("m")]]);
    book.hold(p, "m", 100);
    book.heartbeat(p); // sent before the request arrived: says idle
    assert.equal(book.fits(p, "m", 100), false, "the single sequence is taken");
    assert.equal(book.active("m"), 1);
  });

  it("before the first heartbeat: one request at a time within the registered context", () => {
    const book = new BudgetBook(now);
    const p = testProvider("a", "m", 2048);
    assert.deepEqual(book.load(p, "m"), { tokensUsed: 0, tokensMax: 2048, sequencesUsed: 0, sequencesMax: 1 });
    const h = book.hold(p, "m", 10);
    assert.equal(book.fits(p, "m", 10), false);
    assert.equal(book.release(h), 0);
    assert.equal(book.release(h), undefined, "released once");
    assert.equal(book.fits(p, "m", 10), true);
  });

  it("forgets a provider that left", () => {
    const book = new BudgetBook(now);
    const p = testProvider("a", "m");
    const h = book.hold(p, "m", 10);
    book.forget(p);
    assert.equal(book.active("m"), 0);
    book.release(h); // harmless after forget
    assert.equal(book.fits(p, "m", 10), true);
  });
});
