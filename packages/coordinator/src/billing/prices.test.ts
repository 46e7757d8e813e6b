import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isSelfRouted, reservationMicros, reserveCompletionTokens, resolvePrice, type PriceTable, type PricedProvider } from "./prices.js";
import { FALLBACK_PRICE, worstCaseMicros, type Price } from "./pricing.js";

const P = (i: number, o: number): Price => ({ inputPerMillion: i, outputPerMillion: o });

function table(platform: Record<string, Price>, owners: Record<string, Record<string, Price>>): PriceTable {
  return { platform: (m) => platform[m], owner: (a, m) => owners[a]?.[m] };
}

const t = table({ m: P(10_000, 20_000) }, { alice: { m: P(30_000, 40_000) } });
const unlinked: PricedProvider = { id: "p0", ownerAccountId: null };
const owned: PricedProvider = { id: "p1", ownerAccountId: "alice" };
const announcing: PricedProvider = { id: "p2", ownerAccountId: "alice", prices: new Map([["m", P(1, 2)]]) };

describe("price resolution", () => {
  it("provider's announced price, else owner's, else platform's, else the fallback", () => {
    assert.deepEqual(resolvePrice(t, "m", announcing), { price: P(1, 2), source: "provider" });
    assert.deepEqual(resolvePrice(t, "m", owned), { price: P(30_000, 40_000), source: "owner" });
    assert.deepEqual(resolvePrice(t, "m", unlinked), { price: P(10_000, 20_000), source: "platform" });
    assert.deepEqual(resolvePrice(t, "other", owned), { price: FALLBACK_PRICE, source: "fallback" });
    assert.deepEqual(resolvePrice(t, "m", null), { price: P(10_000, 20_000), source: "platform" });
  });

  it("an announced price for another model does not apply", () => {
    assert.equal(resolvePrice(t, "other", announcing).source, "fallback");
  });

  it("self-routed only when the provider's owner is the consumer", () => {
    assert.equal(isSelfRouted("alice", owned), true);
    assert.equal(isSelfRouted("bob", owned), false);
    assert.equal(isSelfRouted("alice", unlinked), false);
    assert.equal(isSelfRouted("alice", null), false);
  });
});

describe("reservation across candidates", () => {
  const base = { consumerAccountId: "bob", model: "m", promptTokens: 1_000, completionTokens: 100 };
  it("holds the highest worst case among the candidates", () => {
    const got = reservationMicros(t, { ...base, candidates: [unlinked, owned, announcing] });
    assert.equal(got, worstCaseMicros(P(30_000, 40_000), 1_000, 100));
  });
  it("the consumer's own providers cost nothing; all own → a zero hold", () => {
    assert.equal(reservationMicros(t, { ...base, consumerAccountId: "alice", candidates: [owned, announcing] }), 0);
    assert.equal(
      reservationMicros(t, { ...base, consumerAccountId: "alice", candidates: [owned, unlinked] }),
      worstCaseMicros(P(10_000, 20_000), 1_000, 100),
    );
  });
  it("no candidates: the platform price", () => {
    assert.equal(reservationMicros(t, { ...base, candidates: [] }), worstCaseMicros(P(10_000, 20_000), 1_000, 100));
  });
});

describe("completion tokens to reserve", () => {
  it("an explicit max_tokens is reserved as is", () => {
    assert.equal(reserveCompletionTokens(50, true, 4096, 100), 50);
  });
  it("without max_tokens: min(default, context − input), at least 1", () => {
    assert.equal(reserveCompletionTokens(8192, false, 4096, 96), 4000);
    assert.equal(reserveCompletionTokens(8192, false, 65_536, 96), 8192);
    assert.equal(reserveCompletionTokens(8192, false, 100, 500), 1);
    assert.equal(reserveCompletionTokens(8192, false, undefined, 500), 8192);
  });
});
