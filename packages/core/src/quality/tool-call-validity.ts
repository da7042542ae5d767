import { schemaProblems } from './json-schema.js';
import type { QualityValidator } from './validator.js';

/**
 * When the answer calls tools: every call names a tool the request offered, and its arguments are JSON
 * matching that tool's parameter schema. Any failure scores 0: a broken call cannot be executed.
 *
 * @example
 * ```ts
 * const agent = new CascadeAgent({ ..., validators: [toolCallValidity()] });
 * ```
 */
export function toolCallValidity(): QualityValidator {
  return {
    name: 'tool-calls',
    validate({ response, tools }) {
      if (response.toolCalls.length === 0) return null;
      const problems: string[] = [];
      for (const call of response.toolCalls) {
        const tool = tools?.find((t) => t.name === call.name);
        if (!tool) {
          problems.push(`unknown tool "${call.name}"`);
          continue;
        }
        let args: unknown;
        try {
          args = JSON.parse(call.arguments || '{}');
        } catch {
          problems.push(`arguments of "${call.name}" are not valid JSON`);
          continue;
        }
        for (const p of schemaProblems(tool.parameters, args, `tools["${call.name}"].parameters`))
          problems.push(`"${call.name}" arguments: ${p}`);
      }
      return problems.length ? { score: 0, reasons: problems } : { score: 1, reasons: [] };
    },
  };
}
