import assert from "node:assert/strict";
import { openStore } from "@darkbloom/coordinator";
import type { RunningCoordinator } from "@darkbloom/testkit";

/**
 * Stops the coordinator, then checks its SQLite ledger the way an auditor would: postings sum to
 * zero with no drift, nothing is still held, and for every settled request the consumer's debit
 * equals the provider's credit plus the platform fee (plus the referral share). System tests call
 * this in their `after` hook so every run through real processes ends with the books checked.
 */
export async function stopAndAuditLedger(coord: RunningCoordinator | undefined): Promise<void> {
  if (!coord) return;
  await coord.stop();
  const store = await openStore({ engine: "sqlite", path: coord.dbPath });
  try {
    assert.deepEqual(await store.checkLedger(), { postingSum: 0, unbalancedEntries: 0, driftedAccounts: 0 }, "the ledger balances");
    const audit = await store.auditRequests();
    assert.deepEqual(audit.problems, [], "every request: consumer debit == provider credit + platform fee (+ referral)");
    assert.deepEqual({ open: audit.openRequests, held: audit.heldMicros }, { open: 0, held: 0 }, "nothing is held after the coordinator stopped");
  } finally {
    await store.close();
  }
}
