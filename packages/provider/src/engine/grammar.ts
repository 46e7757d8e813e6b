// Grammars for constrained generation: JSON output (response_format) and tool calls. Built with
// node-llama-cpp's JSON-schema → GBNF compiler; each job gets its own evaluation state.
import {
  LlamaGrammar,
  LlamaGrammarEvaluationState,
  LlamaJsonSchemaGrammar,
  type GbnfJsonSchema,
  type LlamaModel,
} from "node-llama-cpp";
import { invalidRequest } from "./errors.js";
import type { JsonGrammarSchema } from "./types.js";

/** Any JSON object (response_format json_object). */
export const JSON_OBJECT_SCHEMA: JsonGrammarSchema = { type: "object", additionalProperties: true };

const CACHE_LIMIT = 32;

/**
 * Compiles grammars for one model, caching the last few by schema (clients repeat their schemas).
 * The compile is synchronous (node-llama-cpp's async factories only wrap these constructors), so
 * generate() stays synchronous.
 */
export class GrammarFactory {
  private readonly cache = new Map<string, LlamaGrammar>();

  constructor(private readonly model: LlamaModel) {}

  /** Evaluation state for output that is exactly one JSON value matching `schema`. */
  json(schema: JsonGrammarSchema): LlamaGrammarEvaluationState {
    return this.state(`json:${JSON.stringify(schema)}`, () => this.jsonGrammar(schema));
  }

  /** Evaluation state for one tool call `{"name": …, "arguments": …}`, optionally wrapped in newlines. */
  toolCall(callSchema: JsonGrammarSchema): LlamaGrammarEvaluationState {
    return this.state(`call:${JSON.stringify(callSchema)}`, () => {
      const json = this.jsonGrammar(callSchema);
      return new LlamaGrammar(this.model.llama, {
        grammar: `${json.grammar}\ndbtoolcall ::= [\\n]? root [\\n]?\n`,
        rootRuleName: "dbtoolcall",
      });
    });
  }

  /** Evaluation state for a forced call's arguments object, then the call's closing brace. */
  toolArguments(argumentsSchema: JsonGrammarSchema): LlamaGrammarEvaluationState {
    return this.state(`args:${JSON.stringify(argumentsSchema)}`, () => {
      const json = this.jsonGrammar(argumentsSchema);
      return new LlamaGrammar(this.model.llama, {
        grammar: `${json.grammar}\ndbtoolargs ::= root [ ]? "}" [\\n]?\n`,
        rootRuleName: "dbtoolargs",
      });
    });
  }

  private jsonGrammar(schema: JsonGrammarSchema): LlamaGrammar {
    // The schema was checked against the grammar subset by protocol's toGrammarSchema.
    const gbnfSchema = schema as unknown as GbnfJsonSchema<Record<string, GbnfJsonSchema>>;
    const generated = new LlamaJsonSchemaGrammar<GbnfJsonSchema<Record<string, GbnfJsonSchema>>, Record<string, GbnfJsonSchema>>(
      this.model.llama,
      gbnfSchema,
    ).grammar;
    return new LlamaGrammar(this.model.llama, { grammar: tightenJsonGrammar(generated) });
  }

  private state(key: string, build: () => LlamaGrammar): LlamaGrammarEvaluationState {
    let grammar = this.cache.get(key);
    if (grammar) {
      this.cache.delete(key);
    } else {
      try {
        grammar = build();
      } catch (err) {
        throw invalidRequest(`the schema could not be compiled to a grammar: ${err instanceof Error ? err.message : String(err)}`);
      }
      if (this.cache.size >= CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value ?? "");
    }
    this.cache.set(key, grammar);
    return new LlamaGrammarEvaluationState({ model: this.model, grammar });
  }
}

/**
 * Adjusts node-llama-cpp's generated JSON grammar for an API response:
 * - its root ends with newlines (`"\n\n\n\n" [\n]*`, a stop marker for its chat sessions): the
 *   value must be followed by the end of generation instead, or a model keeps writing newlines;
 * - its integers accept a negative exponent (`1e-5` is not an integer): only `e+N` / `eN` remain.
 */
export function tightenJsonGrammar(grammar: string): string {
  return grammar
    .split("\n")
    .map((line) => {
      if (line.startsWith("root ::= ")) return line.replace(/\s*"(?:\\n)+"\s*\[\\n\]\*\s*$/, "");
      if (line.startsWith("integer-number-rule ::= ")) return line.replace("[eE] [-+]?", "[eE] [+]?");
      return line;
    })
    .join("\n");
}
