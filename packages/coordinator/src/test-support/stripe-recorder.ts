import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** One API call the Stripe SDK made, as the recorder received it. */
export interface RecordedCall {
  method: string;
  path: string;
  authorization: string | undefined;
  idempotencyKey: string | undefined;
  /** The SDK's form-encoded body. */
  form: URLSearchParams;
}

export type Reply = { status: number; body: unknown };

/**
 * A local HTTP server the official Stripe SDK is pointed at in tests (Stripe itself cannot be
 * reached here): it records every call and answers with what `reply` returns. Test-only.
 */
export class StripeRecorder {
  readonly calls: RecordedCall[] = [];
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(reply: (call: RecordedCall) => Reply): Promise<StripeRecorder> {
    let recorder: StripeRecorder | undefined;
    const server = createServer((req, res) => {
      const parts: Buffer[] = [];
      req.on("data", (c: Buffer) => parts.push(c));
      req.on("end", () => {
        const header = (name: string) => {
          const v = req.headers[name];
          return typeof v === "string" ? v : undefined;
        };
        const call: RecordedCall = {
          method: req.method ?? "",
          path: (req.url ?? "").split("?")[0] ?? "",
          authorization: header("authorization"),
          idempotencyKey: header("idempotency-key"),
          form: new URLSearchParams(Buffer.concat(parts).toString("utf8")),
        };
        recorder?.calls.push(call);
        const { status, body } = reply(call);
        res.writeHead(status, { "content-type": "application/json", "request-id": "req_recorder", "stripe-should-retry": "false" });
        res.end(JSON.stringify(body));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    recorder = new StripeRecorder(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return recorder;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
