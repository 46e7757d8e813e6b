// The provider's memory model (pure): a hard cap on what loaded models may use, the gate every
// load passes, and the room reported to the coordinator as `free_for_load_gb`.

export const GIB = 2 ** 30;

export interface MemoryPolicy {
  /** Physical RAM of the machine (bytes). */
  totalBytes: number;
  /** Share of RAM loaded models may use (SPEC: 0.90). */
  capFraction: number;
  /** Always left to the OS and other programs, whatever the fraction (SPEC: 2 GiB). */
  osReserveBytes: number;
  /** Compute buffers and activations of a load in progress (SPEC: 3 GiB). */
  activationReserveBytes: number;
  /** The least KV cache a newly loaded model is counted with (SPEC: 1 GiB). */
  kvMinBytes: number;
}

export const DEFAULT_CAP_FRACTION = 0.9;
export const DEFAULT_ACTIVATION_RESERVE_GB = 3;

export function defaultPolicy(totalBytes: number, overrides: { capFraction?: number; activationReserveGb?: number } = {}): MemoryPolicy {
  return {
    totalBytes,
    capFraction: overrides.capFraction ?? DEFAULT_CAP_FRACTION,
    osReserveBytes: 2 * GIB,
    activationReserveBytes: (overrides.activationReserveGb ?? DEFAULT_ACTIVATION_RESERVE_GB) * GIB,
    kvMinBytes: 1 * GIB,
  };
}

/** The hard cap: capFraction × RAM, but never more than RAM minus the OS reserve (never below 0). */
export function memoryCapBytes(p: MemoryPolicy): number {
  return Math.max(0, Math.min(p.capFraction * p.totalBytes, p.totalBytes - p.osReserveBytes));
}

export interface LoadRequest {
  /** Weights and KV caches of the models already loaded (bytes). */
  residentBytes: number;
  /** Weights of the model to load (bytes). */
  incomingWeightsBytes: number;
  /** Its KV cache estimate; counted as at least kvMinBytes. */
  incomingKvBytes?: number;
}

export type LoadVerdict =
  | { ok: true; needBytes: number; capBytes: number }
  | { ok: false; needBytes: number; capBytes: number; reason: string };

/** The load gate: resident + incoming weights + activation reserve + KV (≥ kvMin) ≤ cap. */
export function loadGate(p: MemoryPolicy, req: LoadRequest): LoadVerdict {
  const kv = Math.max(p.kvMinBytes, req.incomingKvBytes ?? 0);
  const needBytes = req.residentBytes + req.incomingWeightsBytes + p.activationReserveBytes + kv;
  const capBytes = memoryCapBytes(p);
  if (needBytes <= capBytes) return { ok: true, needBytes, capBytes };
  const reason =
    `memory gate: ${gib(req.residentBytes)} resident + ${gib(req.incomingWeightsBytes)} weights + ` +
    `${gib(p.activationReserveBytes)} activation reserve + ${gib(kv)} KV = ${gib(needBytes)} > cap ${gib(capBytes)} ` +
    `(${p.capFraction} × ${gib(p.totalBytes)} RAM, at least ${gib(p.osReserveBytes)} left to the OS)`;
  return { ok: false, needBytes, capBytes, reason };
}

/** The largest weights (bytes) the gate admits now, with the minimum KV: what `free_for_load_gb` reports. */
export function freeForLoadBytes(p: MemoryPolicy, residentBytes: number): number {
  return Math.max(0, memoryCapBytes(p) - residentBytes - p.activationReserveBytes - p.kvMinBytes);
}

/** Bytes → GiB, rounded down to 0.01 (so a reported room is never more than the real one). */
export function toGb(bytes: number): number {
  return Math.max(0, Math.floor((bytes / GIB) * 100) / 100);
}

function gib(bytes: number): string {
  return `${(bytes / GIB).toFixed(2)} GiB`;
}
