/**
 * The OpenAPI 3.1 document, generated from the route table and its zod schemas (zod 4's
 * JSON Schema output is draft 2020-12, the dialect of OpenAPI 3.1). No hand-written twin: the
 * schemas give every field and its description, openapi-operations.ts the text and examples of
 * each operation, the error catalogue the error responses.
 *
 * zod puts a schema with an `id` (`.meta({ id })`) under the converted schema's own `$defs`;
 * here every such definition moves to `components/schemas` under its id and its references
 * follow it, so the document has one set of named schemas that generators resolve.
 */
import * as z from 'zod/mini';
import { errorCatalogue, type ErrorCode } from './errors';
import { operationDocs, tags } from './openapi-operations';
import { routes, type RouteDefinition } from './routes';
import { ErrorBody } from './schemas';

type Json = Record<string, unknown>;

/** The errors any keyed route may answer, besides its own. */
// every keyed route may meet its tenant's request quota (runtime/http-function.ts)
const commonErrors: ErrorCode[] = ['invalid_request', 'unauthorized', 'forbidden', 'payload_too_large', 'tenant_rate_limited', 'internal_error', 'service_unavailable'];

/** Where the document says the API is when it is not served (the local runtime's default address). */
export const defaultServer = { url: 'http://127.0.0.1:3000', description: 'The local runtime (npm start)' };

const securityScheme = 'apiKey';

/** `z.int()` bounds a number to the safe integers; that is no bound a reader needs to see. */
const SAFE_INTEGER_BOUNDS = new Set([Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]);

/** Named schemas, as the document's components/schemas. */
class Components {
  readonly schemas: Record<string, Json> = {};

  /**
   * The JSON Schema of `schema` for `io`, its named parts added to the components. A name
   * already taken by a different schema (the policy as sent, with its defaults optional, and as
   * answered) gets the suffix `Input`.
   */
  add(schema: z.ZodMiniType, io: 'input' | 'output'): Json {
    const json = z.toJSONSchema(schema, { io, unrepresentable: 'any', reused: 'inline' }) as Json;
    delete json.$schema;
    const defs = (json.$defs ?? {}) as Record<string, Json>;
    delete json.$defs;
    const names = new Map(Object.keys(defs).map((id) => [id, id]));
    // renaming one definition changes those that refer to it: repeat until nothing clashes
    for (let clashes = true; clashes; ) {
      clashes = false;
      for (const [id, def] of Object.entries(defs)) {
        const name = names.get(id)!;
        const existing = this.schemas[name];
        if (existing && JSON.stringify(existing) !== JSON.stringify(rewrite(def, names))) {
          if (name !== id) throw new Error(`OpenAPI: two different schemas named ${name}`);
          names.set(id, `${id}Input`);
          clashes = true;
        }
      }
    }
    for (const [id, def] of Object.entries(defs)) this.schemas[names.get(id)!] ??= rewrite(def, names);
    return rewrite(json, names);
  }
}

/** A copy of `node` with `#/$defs/X` references pointing at the components, and no safe-integer bounds. */
function rewrite(node: unknown, names: Map<string, string>): Json {
  const walk = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(walk);
    if (!value || typeof value !== 'object') return value;
    const out: Json = {};
    for (const [key, v] of Object.entries(value)) {
      if (key === '$ref' && typeof v === 'string' && v.startsWith('#/$defs/')) {
        const id = v.slice('#/$defs/'.length);
        out[key] = `#/components/schemas/${names.get(id) ?? id}`;
      } else if ((key === 'minimum' || key === 'maximum') && SAFE_INTEGER_BOUNDS.has(v as number)) {
        continue;
      } else out[key] = walk(v);
    }
    return out;
  };
  return walk(node) as Json;
}

function parametersOf(r: RouteDefinition, components: Components): Json[] {
  const out: Json[] = [];
  for (const [where, schema] of [['path', r.params], ['query', r.query]] as const) {
    if (!schema) continue;
    const json = components.add(schema, 'input') as { properties?: Record<string, Json>; required?: string[] };
    for (const [name, prop] of Object.entries(json.properties ?? {})) {
      const { description, ...rest } = prop;
      out.push({
        name,
        in: where,
        required: where === 'path' || (json.required ?? []).includes(name),
        ...(typeof description === 'string' ? { description } : {}),
        schema: rest,
      });
    }
  }
  if (r.fresh) {
    out.push({
      name: 'Twofold-Assertion',
      in: 'header',
      required: false,
      description:
        r.fresh === 'required'
          ? 'The `assertion` of a challenge the user verified recently (within the policy\'s freshVerificationSeconds). Needed with an app key; an admin key needs none.'
          : 'The `assertion` of a challenge the user verified recently: with it, the answer shows more.',
      schema: { type: 'string' },
    });
  }
  if ((r.errors ?? []).includes('idempotency_key_reused')) {
    out.push({
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      description: 'Any unique string (1-255 printable ASCII characters, e.g. a UUID) per intended request: a retry with the same key and body gets the first answer, and sends no second code. Kept for an hour.',
      schema: { type: 'string', pattern: '^[!-~]{1,255}$' },
    });
  }
  return out;
}

/** An example error body of `code`, as errorResponse makes it. */
function errorExample(code: ErrorCode): Json {
  const extra: Json =
    code === 'invalid_code' ? { attemptsRemaining: 4 } : code === 'locked' || code === 'rate_limited' ? { retryAfterSeconds: 600 } : code === 'tenant_rate_limited' ? { retryAfterSeconds: 1 } : code === 'service_unavailable' ? { retryAfterSeconds: 1 } : code === 'invalid_request' ? { details: [{ path: 'body.code', message: 'code must be 6 to 8 digits' }] } : {};
  return { summary: code, value: { error: { code, message: errorCatalogue[code].message, ...extra } } };
}

const retryAfterHeader = { 'Retry-After': { description: 'Seconds until trying again can work', schema: { type: 'integer', minimum: 0 } } };

function responsesOf(r: RouteDefinition, components: Components): Json {
  const doc = operationDocs[r.operationId as keyof typeof operationDocs];
  const responses: Json = {};
  if (r.status === 204) responses['204'] = { description: 'Done; no content' };
  else if (r.response) {
    responses[String(r.status)] = {
      description: r.summary,
      content: { 'application/json': { schema: components.add(r.response, 'output'), ...(doc.response === undefined ? {} : { example: doc.response }) } },
    };
  } else if (r.content) {
    responses[String(r.status)] = { description: r.summary, content: { [r.content]: { schema: { type: 'string' } } } };
  } else {
    responses[String(r.status)] = { description: r.summary, content: { 'application/json': { schema: { type: 'object', description: 'An OpenAPI 3.1 document' } } } };
  }
  const codes = r.scope === 'public' ? [] : [...new Set([...commonErrors, ...((r.errors ?? []) as ErrorCode[])])];
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) {
    const status = errorCatalogue[code].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  for (const [status, list] of [...byStatus].sort(([a], [b]) => a - b)) {
    responses[String(status)] = {
      description: list.map((c) => `\`${c}\`: ${errorCatalogue[c].message}`).join(' '),
      ...(list.some((c) => c === 'locked' || c === 'rate_limited' || c === 'tenant_rate_limited' || c === 'service_unavailable') ? { headers: retryAfterHeader } : {}),
      content: {
        'application/json': {
          schema: { $ref: '#/components/schemas/Error' },
          examples: Object.fromEntries(list.map((c) => [c, errorExample(c)])),
        },
      },
    };
  }
  return responses;
}

function operationOf(r: RouteDefinition, components: Components): Json {
  const doc = operationDocs[r.operationId as keyof typeof operationDocs];
  const op: Json = {
    operationId: r.operationId,
    summary: r.summary,
    description: doc.description,
    tags: [doc.tag],
    parameters: parametersOf(r, components),
  };
  if (r.body) {
    const schema = components.add(r.body, 'input');
    const example = doc.request === undefined ? {} : { example: doc.request };
    op.requestBody = { required: true, content: Object.fromEntries((r.contentTypes ?? ['application/json']).map((type) => [type, { schema, ...example }])) };
  }
  op.responses = responsesOf(r, components);
  op.security = r.scope === 'public' ? [] : [{ [securityScheme]: [] }];
  if (r.scope === 'admin') op['x-twofold-scope'] = 'admin';
  return op;
}

/** An operation of the API (JSON, or no content), not a page or a page's asset (`content` names its media type). */
export const isApiOperation = (r: RouteDefinition): boolean => r.content === undefined;

export interface OpenApiOptions {
  /** The API's base URL, e.g. the address a request for the document came to; the local default otherwise. */
  serverUrl?: string;
}

export function buildOpenApiDocument(options: OpenApiOptions = {}): Json {
  const components = new Components();
  // responses first: a schema sent and answered in two forms (the policy) keeps its name for the answer
  components.add(ErrorBody, 'output');
  // the API's operations only: pages and their assets (the console, the reference pages and its
  // renderer, an icon) are served beside it, but a generated SDK has no use for `consoleScript()`
  const ordered = (routes as readonly RouteDefinition[]).filter(isApiOperation);
  const paths: Record<string, Json> = {};
  const operations = new Map<RouteDefinition, Json>();
  for (const r of ordered) if (r.response) components.add(r.response, 'output');
  for (const r of ordered) operations.set(r, operationOf(r, components));
  for (const r of ordered) (paths[r.path] ??= {})[r.method.toLowerCase()] = operations.get(r);
  return {
    openapi: '3.1.0',
    info: {
      title: 'Twofold',
      version: '1',
      description: [
        'Two-factor authentication as a service. Client apps call it server-to-server, after they have checked a user\'s password: enroll factors (an authenticator app, SMS or email), then at every login start a challenge and verify the code the user types.',
        '',
        'Every call but the public ones takes `Authorization: Bearer <apiKey>`: a key of one tenant, with scope `app` or `admin` (admin may call everything app may). JSON in and out; a body is at most 16 KiB.',
        '',
        'Every error is `{"error": {"code", "message", "details"?}}` with a stable snake_case `code`, plus `attemptsRemaining` after a wrong code and `retryAfterSeconds` (and a `Retry-After` header) when locked or rate limited.',
      ].join('\n'),
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [options.serverUrl ? { url: options.serverUrl } : defaultServer],
    security: [{ [securityScheme]: [] }],
    tags: tags.map((t) => ({ ...t })),
    paths,
    components: {
      securitySchemes: {
        [securityScheme]: { type: 'http', scheme: 'bearer', description: "A tenant's API key (`tf_…`), scope app or admin: `Authorization: Bearer <apiKey>`" },
      },
      schemas: components.schemas,
    },
  };
}
