/** Bad command-line input: main prints the message with the usage and exits 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}
