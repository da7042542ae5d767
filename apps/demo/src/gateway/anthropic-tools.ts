import type { ToolDefinition } from '@cascadeflow/core';
import { httpError } from './errors.js';

/** A tool as the Messages API declares it (in `tools`, or in a `tool_addition` block's definition). */
export interface DeclaredTool {
  name: string;
  description?: string | undefined;
  input_schema: Record<string, unknown>;
  /** Hidden until a tool search finds it (a `tool_reference` block in a tool result) or a `tool_addition`. */
  defer_loading?: boolean | null | undefined;
}

/**
 * The tools a conversation offers at its end, which is what the cascade's tiers are asked with: the request's
 * tools but the deferred ones (`defer_loading: true`), plus each deferred tool a tool search has loaded (a
 * `tool_reference` block in a tool result: Claude Code's `ToolSearch` answers with them) and each tool a
 * system message adds (`tool_addition`), less each one a system message withdraws (`tool_removal`), in the
 * conversation's order.
 */
export class ConversationTools {
  readonly #declared = new Map<string, DeclaredTool>();
  readonly #offered = new Map<string, DeclaredTool>();

  constructor(tools: readonly DeclaredTool[] | undefined) {
    for (const t of tools ?? []) {
      this.#declared.set(t.name, t);
      if (t.defer_loading !== true) this.#offered.set(t.name, t);
    }
  }

  /** A tool named by a `tool_reference` (a tool search's result, or a `tool_addition`) is offered from here on. */
  load(name: string, where: string): void {
    const tool = this.#declared.get(name);
    if (!tool)
      throw httpError(400, 'invalid_request', `${where}: no tool named "${name}" is declared in tools.`);
    this.#offered.set(name, tool);
  }

  /** A tool defined in a `tool_addition` block is offered from here on. */
  define(tool: DeclaredTool): void {
    this.#declared.set(tool.name, tool);
    this.#offered.set(tool.name, tool);
  }

  /** A tool withdrawn by a `tool_removal` block is not offered from here on. */
  remove(name: string, where: string): void {
    if (!this.#declared.has(name))
      throw httpError(400, 'invalid_request', `${where}: no tool named "${name}" is declared in tools.`);
    this.#offered.delete(name);
  }

  /** Whether a tool is offered at the end of the conversation. */
  offers(name: string): boolean {
    return this.#offered.has(name);
  }

  /** The tools offered at the end of the conversation, in core's shape; undefined when none is. */
  offered(): ToolDefinition[] | undefined {
    if (this.#offered.size === 0) return undefined;
    return [...this.#offered.values()].map((t) => ({
      name: t.name,
      ...(t.description ? { description: t.description } : {}),
      parameters: t.input_schema,
    }));
  }
}
