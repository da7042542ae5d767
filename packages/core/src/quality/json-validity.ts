import { schemaProblems } from './json-schema.js';
import type { QualityValidator } from './validator.js';

/**
 * When the request asks for JSON (`responseFormat` `json_object` or `json_schema`): the answer must parse,
 * and match the schema if one was given. Any failure scores 0: broken JSON is never a usable draft.
 *
 * @example
 * ```ts
 * await agent.run({ query: 'List 3 colours', responseFormat: { type: 'json_object' } });
 * ```
 */
export function jsonValidity(): QualityValidator {
  return {
    name: 'json',
    validate({ response, responseFormat }) {
      if (!responseFormat || responseFormat.type === 'text') return null;
      if (response.toolCalls.length > 0 && response.content.trim() === '') return null;
      let data: unknown;
      try {
        data = JSON.parse(response.content);
      } catch (e) {
        return { score: 0, reasons: [`not valid JSON (${(e as Error).message})`] };
      }
      if (
        responseFormat.type === 'json_object' &&
        (typeof data !== 'object' || data === null || Array.isArray(data))
      ) {
        return { score: 0, reasons: ['JSON mode asks for an object'] };
      }
      if (responseFormat.type === 'json_schema') {
        const problems = schemaProblems(responseFormat.schema, data, 'responseFormat.schema');
        if (problems.length > 0) return { score: 0, reasons: problems.map((p) => `schema: ${p}`) };
      }
      return { score: 1, reasons: [] };
    },
  };
}
