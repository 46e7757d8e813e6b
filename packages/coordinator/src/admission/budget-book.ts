import type { LiveProvider } from "../registry/index.js";
import { fitsSlot, requestTokens, type SlotLoad } from "./budget.js";
import type { BudgetHold } from "./types.js";

interface Hold extends BudgetHold {
  /** The provider's heartbeat count when the hold was taken: a later heartbeat includes it. */
  readonly epoch: number;
  readonly at: number;
  released: boolean;
}

interface ModelBook {
  readonly live: Set<Hold>;
  /** Released since the last heartbeat, but counted in it: subtracted until the next one. */
  releasedReported: { count: number; tokens: number };
}

interface ProviderBook {
  epoch: number;
  readonly models: Map<string, ModelBook>;
}

/**
 * The coordinator's own view of the budget it has handed out per provider and model: what it
 * dispatched since the provider's last heartbeat (coordinator-pending) and what finished since
 * (freed at once, before the next heartbeat says so). Readers: admission and the relay's pick
 * gate, both through `load`/`fits`. Writers: `hold` (a dispatch), `release` (its end, exactly
 * once), `heartbeat`, and `forget` when the provider disconnects (its holds die with it).
 */
export class BudgetBook {
  private readonly books = new Map<LiveProvider, ProviderBook>();

  constructor(private readonly now: () => number) {}

  hold(provider: LiveProvider, model: string, tokens: number): BudgetHold {
    const book = this.book(provider);
    const h: Hold = { provider, model, tokens, epoch: book.epoch, at: this.now(), released: false };
    this.modelBook(book, model).live.add(h);
    return h;
  }

  /** Gives the budget back; returns how long it was held (ms), or undefined when already released. */
  release(hold: BudgetHold): number | undefined {
    const h = hold as Hold;
    if (h.released) return undefined;
    h.released = true;
    const book = this.books.get(h.provider);
    const m = book?.models.get(h.model);
    if (book && m?.live.delete(h) && h.epoch < book.epoch) {
      m.releasedReported = { count: m.releasedReported.count + 1, tokens: m.releasedReported.tokens + h.tokens };
    }
    return this.now() - h.at;
  }

  /** A heartbeat arrived: everything held so far is in the provider's own numbers now. */
  heartbeat(provider: LiveProvider): void {
    const book = this.books.get(provider);
    if (!book) return;
    book.epoch++;
    for (const [model, m] of book.models) {
      if (m.live.size === 0) book.models.delete(model);
      else m.releasedReported = { count: 0, tokens: 0 };
    }
  }

  /** The provider left: its holds no longer count (their requests fail over or end). */
  forget(provider: LiveProvider): void {
    this.books.delete(provider);
  }

  /** Load of `provider`'s slot for `model`: its heartbeat adjusted by the coordinator's own holds. */
  load(provider: LiveProvider, model: string): SlotLoad {
    const m = this.books.get(provider)?.models.get(model);
    const epoch = this.books.get(provider)?.epoch ?? 0;
    let liveCount = 0;
    let liveTokens = 0;
    let newCount = 0;
    let newTokens = 0;
    for (const h of m?.live ?? []) {
      liveCount++;
      liveTokens += h.tokens;
      if (h.epoch === epoch) {
        newCount++;
        newTokens += h.tokens;
      }
    }
    const slot = provider.slots.get(model);
    if (!slot) {
      // No heartbeat for this model yet: one request at a time, within the registered context.
      return { tokensUsed: liveTokens, tokensMax: provider.models.get(model)?.context_length ?? 0, sequencesUsed: liveCount, sequencesMax: 1 };
    }
    const freed = m?.releasedReported ?? { count: 0, tokens: 0 };
    const reportedTokens = Math.max(0, slot.active_token_budget_used + slot.queued_token_budget - freed.tokens);
    const reportedSeqs = Math.max(0, slot.num_running + slot.num_waiting - freed.count);
    return {
      // Never below what this coordinator itself has in flight there (a heartbeat may predate it).
      tokensUsed: Math.max(reportedTokens + newTokens, liveTokens),
      tokensMax: slot.active_token_budget_max,
      sequencesUsed: Math.max(reportedSeqs + newCount, liveCount),
      sequencesMax: slot.max_concurrency,
    };
  }

  /** Tokens this request would hold on `provider` (capped by the model's context). */
  tokensFor(provider: LiveProvider, model: string, inputTokens: number, maxTokens: number): number {
    return requestTokens(inputTokens, maxTokens, provider.models.get(model)?.context_length ?? 0);
  }

  fits(provider: LiveProvider, model: string, tokens: number): boolean {
    return fitsSlot(this.load(provider, model), tokens);
  }

  /** Requests this coordinator has in flight for `model` (capacity API). */
  active(model: string): number {
    let n = 0;
    for (const book of this.books.values()) n += book.models.get(model)?.live.size ?? 0;
    return n;
  }

  private book(provider: LiveProvider): ProviderBook {
    let b = this.books.get(provider);
    if (!b) {
      b = { epoch: 0, models: new Map() };
      this.books.set(provider, b);
    }
    return b;
  }

  private modelBook(book: ProviderBook, model: string): ModelBook {
    let m = book.models.get(model);
    if (!m) {
      m = { live: new Set(), releasedReported: { count: 0, tokens: 0 } };
      book.models.set(model, m);
    }
    return m;
  }
}
