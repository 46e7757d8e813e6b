/** Structured JSON log lines on stderr. Callers pass ids and counts only, never content. */
export type Logger = (event: string, fields?: Record<string, unknown>) => void;

export function createLogger(component: string, stream: NodeJS.WritableStream = process.stderr): Logger {
  return (event, fields = {}) => {
    stream.write(`${JSON.stringify({ ts: new Date().toISOString(), component, event, ...fields })}\n`);
  };
}
