import type { ModelPriceRecord, Store } from "../store/index.js";
import type { PriceTable } from "./prices.js";
import type { Price } from "./pricing.js";

const ownerKey = (accountId: string, model: string) => `${accountId}\n${model}`;

/**
 * Owner and platform prices, cached in memory (read on every request) and written through to the
 * store. Loaded at start; this coordinator's PUT/DELETE routes keep it current. (Several
 * coordinators on one database would each need a reload after another one's change.)
 */
export class PriceBook implements PriceTable {
  private readonly platformPrices = new Map<string, Price>();
  private readonly ownerPrices = new Map<string, Price>();

  constructor(private readonly store: Pick<Store, "setModelPrice" | "deleteModelPrice" | "listModelPrices">) {}

  async load(): Promise<void> {
    const rows = await this.store.listModelPrices();
    this.platformPrices.clear();
    this.ownerPrices.clear();
    for (const r of rows) this.cache(r);
  }

  platform(model: string): Price | undefined {
    return this.platformPrices.get(model);
  }

  owner(accountId: string, model: string): Price | undefined {
    return this.ownerPrices.get(ownerKey(accountId, model));
  }

  /** Platform prices, by model. */
  platformList(): { model: string; price: Price }[] {
    return [...this.platformPrices.entries()].map(([model, price]) => ({ model, price })).sort((a, b) => a.model.localeCompare(b.model));
  }

  /** One owner's prices, by model. */
  ownerList(accountId: string): { model: string; price: Price }[] {
    const prefix = `${accountId}\n`;
    return [...this.ownerPrices.entries()]
      .filter(([k]) => k.startsWith(prefix))
      .map(([k, price]) => ({ model: k.slice(prefix.length), price }))
      .sort((a, b) => a.model.localeCompare(b.model));
  }

  async set(record: ModelPriceRecord): Promise<void> {
    await this.store.setModelPrice(record);
    this.cache(record);
  }

  async delete(ownerAccountId: string | null, model: string): Promise<boolean> {
    const existed = await this.store.deleteModelPrice(ownerAccountId, model);
    if (ownerAccountId === null) this.platformPrices.delete(model);
    else this.ownerPrices.delete(ownerKey(ownerAccountId, model));
    return existed;
  }

  private cache(r: ModelPriceRecord): void {
    const price = { inputPerMillion: r.inputPerMillion, outputPerMillion: r.outputPerMillion };
    if (r.ownerAccountId === null) this.platformPrices.set(r.model, price);
    else this.ownerPrices.set(ownerKey(r.ownerAccountId, r.model), price);
  }
}
