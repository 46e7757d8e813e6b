/** TPM 2.0 constants (TCG TPM 2.0 Library, Part 2) used by the verifier. */
export const TPM_GENERATED_VALUE = 0xff544347;
export const TPM_ST_ATTEST_QUOTE = 0x8018;

export const TPM_ALG_RSA = 0x0001;
export const TPM_ALG_SHA1 = 0x0004;
export const TPM_ALG_SHA256 = 0x000b;
export const TPM_ALG_SHA384 = 0x000c;
export const TPM_ALG_SHA512 = 0x000d;
export const TPM_ALG_NULL = 0x0010;
export const TPM_ALG_RSASSA = 0x0014;
export const TPM_ALG_RSAPSS = 0x0016;
export const TPM_ALG_ECDSA = 0x0018;
export const TPM_ALG_ECDAA = 0x001a;
export const TPM_ALG_ECC = 0x0023;

export const TPM_ECC_NIST_P256 = 0x0003;
export const TPM_ECC_NIST_P384 = 0x0004;

/** Node digest names (and sizes) for the TPM hash algorithms we accept. */
export const HASHES: ReadonlyMap<number, { name: string; size: number }> = new Map([
  [TPM_ALG_SHA256, { name: "sha256", size: 32 }],
  [TPM_ALG_SHA384, { name: "sha384", size: 48 }],
  [TPM_ALG_SHA512, { name: "sha512", size: 64 }],
]);

/** TPMA_OBJECT bits. */
export const OBJ_FIXED_TPM = 0x00000002;
export const OBJ_FIXED_PARENT = 0x00000010;
export const OBJ_SENSITIVE_DATA_ORIGIN = 0x00000020;
export const OBJ_RESTRICTED = 0x00010000;
export const OBJ_DECRYPT = 0x00020000;
export const OBJ_SIGN = 0x00040000;
