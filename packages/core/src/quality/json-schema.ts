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
type Compiler = { compile(schema: object): Validate; removeSchema(schema: object): unknown };

const compilers = new Map<string, Compiler>();
/** Validators by schema object: a schema an agent holds is compiled once. */
const byObject = new WeakMap<object, Validate>();
/**
 * Validators by schema text, the least recently used let go past {@link MAX_KEPT}: a gateway parses its
 * clients' tools afresh on every request, and the same few schemas come back each time.
 */
const byText = new Map<string, Validate>();
const MAX_KEPT = 1000;

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
  const source = kind === 'other' ? withoutDialect(schema) : schema;
  const validate = compiler.compile(source);
  // ajv keeps every schema it compiled (and its $id, which a second schema with the same $id then collides
  // with): let it go, the validator works on without it, and the caches here keep what is reused.
  compiler.removeSchema(source);
  return validate;
}

function withoutDialect(schema: JsonSchema): JsonSchema {
  const { $schema: _dialect, ...rest } = schema;
  return rest;
}

/** The validator of a schema: by object, else by text, else compiled (and kept both ways). */
function validatorOf(schema: JsonSchema, field: string): Validate {
  let validate = byObject.get(schema);
  if (validate) return validate;
  const text = JSON.stringify(schema);
  validate = byText.get(text);
  if (validate) {
    // Most recently used last: the first entries are the ones to let go.
    byText.delete(text);
  } else {
    try {
      validate = compile(schema);
    } catch (e) {
      throw new InvalidConfigError(
        field,
        `is not a JSON schema that can be checked (${(e as Error).message}); fix the schema`,
        'invalid_request',
      );
    }
    if (byText.size >= MAX_KEPT) byText.delete(byText.keys().next().value!);
  }
  byText.set(text, validate);
  byObject.set(schema, validate);
  return validate;
}

/**
 * Validates data against a JSON schema; returns readable problems, empty when valid. A schema that cannot be
 * compiled is the request's fault: an `InvalidConfigError` (`invalid_request`) on `field` says why.
 */
export function schemaProblems(schema: JsonSchema, data: unknown, field = 'schema'): string[] {
  const validate = validatorOf(schema, field);
  if (validate(data)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? 'is invalid'}`);
}
