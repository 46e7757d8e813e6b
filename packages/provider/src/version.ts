/** Version of the provider software, reported at registration and in attestations. */
export const PROVIDER_VERSION = "0.1.0";
