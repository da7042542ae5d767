import AjvModule from 'ajv';
import Ajv2019Module from 'ajv/dist/2019.js';
import Ajv2020Module from 'ajv/dist/2020.js';
import { InvalidConfigError } from '../errors/errors.js';
import type { JsonSchema } from '../types/messages.js';

// ajv ships CommonJS with `exports.default`; under ESM interop the class can sit on either.
const classOf = <T>(m: T): T => ((m as { default?: T }).default ?? m) as T;
const Ajv = classOf(AjvModule);
const Ajv2019 = classOf(Ajv2019Module);
const Ajv2020 = classOf(Ajv2020Module);

type Validate = ReturnType<InstanceType<typeof AjvModule>['compile']>;
type Compiler = { compile(schema: object): Validate };

const compilers = new Map<string, Compiler>();
const cache = new WeakMap<object, Validate>();

/**
 * The validator of a schema's dialect (its `$schema`): draft 2020-12 (what MCP servers and Claude Code's tools
 * declare) and 2019-09 by their own ajv, draft-07, draft-06 and none by the default one. Another dialect
 * (draft-04) is read as draft-07 without its `$schema`: their keywords agree but for a few edge cases.
 */
function compile(schema: JsonSchema): Validate {
  const dialect = typeof schema.$schema === 'string' ? schema.$schema : '';
  const kind = /2020-12/.test(dialect)
    ? '2020'
    : /2019-09/.test(dialect)
      ? '2019'
      : dialect === '' || /draft-0[67]/.test(dialect)
        ? '07'
        : 'other';
  let compiler = compilers.get(kind);
  if (!compiler) {
    const options = { allErrors: true, strict: false };
    compiler =
      kind === '2020' ? new Ajv2020(options) : kind === '2019' ? new Ajv2019(options) : new Ajv(options);
    compilers.set(kind, compiler);
  }
  if (kind !== 'other') return compiler.compile(schema);
  const { $schema: _dialect, ...rest } = schema;
  return compiler.compile(rest);
}

/**
 * Validates data against a JSON schema; returns readable problems, empty when valid. A schema that cannot be
 * compiled is the request's fault: an `InvalidConfigError` (`invalid_request`) on `field` says why.
 */
export function schemaProblems(schema: JsonSchema, data: unknown, field = 'schema'): string[] {
  let validate = cache.get(schema);
  if (!validate) {
    try {
      validate = compile(schema);
    } catch (e) {
      throw new InvalidConfigError(
        field,
        `is not a JSON schema that can be checked (${(e as Error).message}); fix the schema`,
        'invalid_request',
      );
    }
    cache.set(schema, validate);
  }
  if (validate(data)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? 'is invalid'}`);
}
