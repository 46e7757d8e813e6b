import { CLOSE_BAD_ACCOUNT_TOKEN, type RegisterFrame } from "@darkbloom/protocol";
import { minVersionRefusal } from "../../releases/index.js";
import type { Refusal } from "./check-register.js";
import { resolveOwner, type AccountTokenResolver } from "./owner.js";

/** The owner of the provider account token presented on the upgrade (device login). */
export interface BearerAccount {
  accountId: string;
  /** `prv_…` of the identity the token was issued to. */
  deviceId: string;
  /** The identity key (base64) the token was issued to: only that identity may use it. */
  identityKey: string;
}

/** Registration rules beyond the attestation (releases, versions, accounts). */
export interface RegistrationPolicy {
  /** `register.account_token` (an API key of the owner's account; kept for compatibility). */
  resolveAccountToken?: AccountTokenResolver;
  /** DARKBLOOM_MIN_PROVIDER_VERSION. */
  minProviderVersion?: string;
  /** True when the package hash is a registered release (store/releases). */
  isKnownRelease?: (packageHash: string) => Promise<boolean>;
  /** The account this identity key is linked to (an earlier login or account key), if any. */
  linkedAccount?: (identityKey: string) => Promise<string | null>;
}

export interface Admission {
  ok: true;
  ownerAccountId: string | null;
  /** The attestation's package hash is a registered release (else trust is capped at self_signed). */
  knownRelease: boolean;
}

const refuse = (reason: string, code = CLOSE_BAD_ACCOUNT_TOKEN): Refusal => ({ ok: false, code, reason });

/**
 * After the attestation checks, before the challenge: the provider is new enough, the upgrade's
 * account token (if any) belongs to this identity, a `register.account_token` names the same
 * account, and whether it runs a known release. The owner is the account token's account, else the
 * register frame's API key's, else the account the identity is linked to, else none.
 */
export async function admitAccount(frame: RegisterFrame, bearer: BearerAccount | undefined, policy: RegistrationPolicy): Promise<Admission | Refusal> {
  const att = frame.attestation;
  const tooOld = minVersionRefusal(att.provider_version, policy.minProviderVersion);
  if (tooOld) return tooOld;
  if (bearer && bearer.identityKey !== att.identity_key) return refuse("this account token was issued to another provider identity: run darkbloom login on this machine");
  const owner = await resolveOwner(frame, policy.resolveAccountToken);
  if (!owner.ok) return owner;
  if (bearer && owner.ownerAccountId !== null && owner.ownerAccountId !== bearer.accountId) {
    return refuse("register.account_token names another account than the account token (darkbloom login): drop one");
  }
  const pkg = att.package_hash;
  const knownRelease = pkg !== undefined && policy.isKnownRelease !== undefined ? await policy.isKnownRelease(pkg) : false;
  // Without a credential, a linked identity is still its account's (until `darkbloom logout`).
  const ownerAccountId = bearer?.accountId ?? owner.ownerAccountId ?? (policy.linkedAccount ? await policy.linkedAccount(att.identity_key) : null);
  return { ok: true, ownerAccountId, knownRelease };
}
