import AjvModule from 'ajv';
import type { JsonSchema } from '../types/messages.js';

// ajv ships CommonJS with `exports.default`; under ESM interop the class can sit on either.
const Ajv = ((AjvModule as unknown as { default?: typeof AjvModule }).default ??
  AjvModule) as typeof AjvModule;

let ajv: InstanceType<typeof AjvModule> | undefined;
const cache = new WeakMap<object, ReturnType<InstanceType<typeof AjvModule>['compile']>>();

/** Validates data against a JSON schema; returns readable problems, empty when valid. */
export function schemaProblems(schema: JsonSchema, data: unknown): string[] {
  ajv ??= new Ajv({ allErrors: true, strict: false });
  let validate = cache.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    cache.set(schema, validate);
  }
  if (validate(data)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? 'is invalid'}`);
}
