import { randomBytes } from "node:crypto";

export type TimerHandle = { readonly __timer: unique symbol } | object;

/** Time and timers, injected wherever logic depends on them (tests, the routing simulator). */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** Id and randomness sources. */
export interface Entropy {
  /** A new opaque id with the given prefix, e.g. `req_3f9a…`. */
  id(prefix: string): string;
  /** Uniform in [0, 1). */
  random(): number;
}

export const systemEntropy: Entropy = {
  id: (prefix) => `${prefix}_${randomBytes(12).toString("hex")}`,
  random: () => Math.random(),
};
