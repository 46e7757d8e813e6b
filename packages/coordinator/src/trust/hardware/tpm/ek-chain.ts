import type { X509Certificate } from "node:crypto";

/** Why `cert` is not valid at `now` (ms), or undefined. */
export function validityProblem(cert: X509Certificate, now: number, what: string): string | undefined {
  if (now < Date.parse(cert.validFrom)) return `${what} is not valid before ${cert.validFrom}`;
  if (now > Date.parse(cert.validTo)) return `${what} expired ${cert.validTo}`;
  return undefined;
}

/**
 * Checks that `ek` was issued by one of `anchors` (every certificate in the CA dir is trusted as an
 * issuer: the operator puts there the manufacturer roots and intermediates it accepts): the
 * issuer is a CA whose key verifies the EK certificate's signature, and both are valid at `now`.
 * Returns undefined when it chains, else the reason.
 */
export function ekChainProblem(ek: X509Certificate, anchors: readonly X509Certificate[], now: number): string | undefined {
  const problem = validityProblem(ek, now, "EK certificate");
  if (problem) return problem;
  const issuer = anchors.find((a) => a.ca && ek.checkIssued(a) && ek.verify(a.publicKey));
  if (!issuer) return "EK certificate is not issued by a configured TPM CA";
  return validityProblem(issuer, now, `CA certificate (${issuer.subject.replace(/\n/g, ", ")})`);
}
