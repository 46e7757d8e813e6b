/** The warm pool's view of one provider, built each tick from the registry and what it reported. */
export interface PoolProvider {
  id: string;
  /** Offered models that pass the template check, with their weight size (GB). */
  offered: ReadonlyMap<string, number>;
  /** Models loaded now (slot state idle or running). */
  loaded: ReadonlySet<string>;
  /** Nothing running or waiting on any slot and no request dispatched: it may take a load. */
  idle: boolean;
  /** Room its memory gate reports (GB); undefined before it says. */
  freeForLoadGb: number | undefined;
  /** A load the pool asked for is still unanswered. */
  pendingLoad: boolean;
  /** Models for which a failed load is cooling down on this provider. */
  coolingDown: ReadonlySet<string>;
}

export interface PoolSettings {
  /** Mean time a request holds a slot (s): rate × this = slots busy on average (Little's law). */
  serviceSeconds: number;
  /** Sequences one loaded model serves at once (per provider). */
  slotsPerProvider: number;
  /** Most models the pool keeps loaded on one provider. */
  maxModelsPerProvider: number;
}

export interface LoadAction {
  providerId: string;
  model: string;
  /** Why (for logs): target vs loaded. */
  detail: string;
}
