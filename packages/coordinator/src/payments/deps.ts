import type { Logger } from "../log/index.js";
import type { Entropy } from "../runtime/index.js";
import type { Store } from "../store/index.js";
import type { StripeClient } from "./client.js";

export interface PaymentsDeps {
  store: Store;
  /** Absent: DARKBLOOM_STRIPE_SECRET_KEY is unset and the outbound routes answer 501. */
  stripe: StripeClient | undefined;
  /** Absent: DARKBLOOM_STRIPE_WEBHOOK_SECRET is unset and the webhook answers 501. */
  webhookSecret: string | undefined;
  entropy: Entropy;
  logger: Logger;
}
