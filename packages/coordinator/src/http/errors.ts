import { errorBody, type ErrorFormat } from "@darkbloom/protocol";

/** An error a handler throws; answered in the route's API family's shape (OpenAI's by default). */
export class HttpError extends Error {
  override readonly name = "HttpError";
  constructor(
    readonly status: number,
    message: string,
    readonly code: string | null = null,
    readonly param: string | null = null,
    readonly headers: Record<string, string> = {},
    /** Close the connection after answering (e.g. an unread oversized body). */
    readonly closeConnection = false,
  ) {
    super(message);
  }

  body(format: ErrorFormat = "openai"): string {
    return errorBody(format, this.status, this.message, this.code, this.param);
  }
}

export const badRequest = (message: string, param: string | null = null, code: string | null = "invalid_request") =>
  new HttpError(400, message, code, param);
export const unauthorized = (message: string) => new HttpError(401, message, "invalid_api_key");
export const notFound = (message: string, code = "not_found") => new HttpError(404, message, code);
