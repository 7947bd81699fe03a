/**
 * The OpenAPI 3.1 document, generated from the route table and its zod schemas (zod 4's
 * JSON Schema output is draft 2020-12, the dialect of OpenAPI 3.1). No hand-written twin.
 */
import * as z from 'zod/mini';
import { errorCatalogue, type ErrorCode } from './errors';
import { routes, type RouteDefinition } from './routes';
import { ErrorBody } from './schemas';

type JsonObject = Record<string, unknown>;

const commonErrors: ErrorCode[] = ['invalid_request', 'unauthorized', 'forbidden', 'payload_too_large', 'internal_error'];

function schemaOf(schema: z.ZodMiniType, io: 'input' | 'output'): JsonObject {
  const json = z.toJSONSchema(schema, { io, unrepresentable: 'any', reused: 'inline' }) as JsonObject;
  delete json.$schema;
  return json;
}

function parametersOf(r: RouteDefinition): JsonObject[] {
  const out: JsonObject[] = [];
  for (const [where, schema] of [['path', r.params], ['query', r.query]] as const) {
    if (!schema) continue;
    const json = schemaOf(schema, 'input') as { properties?: Record<string, JsonObject>; required?: string[] };
    for (const [name, prop] of Object.entries(json.properties ?? {})) {
      out.push({ name, in: where, required: where === 'path' || (json.required ?? []).includes(name), schema: prop });
    }
  }
  return out;
}

function operationOf(r: RouteDefinition): JsonObject {
  const responses: JsonObject = {};
  responses[String(r.status)] = r.response
    ? { description: r.summary, content: { 'application/json': { schema: schemaOf(r.response, 'output') } } }
    : r.content
      ? { description: r.summary, content: { [r.content]: { schema: { type: 'string' } } } }
      : { description: r.status === 204 ? 'Done; no content' : r.summary };
  const codes = r.scope === 'public' ? [] : [...commonErrors, ...((r.errors ?? []) as ErrorCode[])];
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) {
    const status = errorCatalogue[code].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  for (const [status, list] of byStatus) {
    responses[String(status)] = {
      description: list.map((c) => `\`${c}\`: ${errorCatalogue[c].message}`).join(' '),
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    };
  }
  const op: JsonObject = { operationId: r.operationId, summary: r.summary, parameters: parametersOf(r), responses };
  if (r.body) {
    const schema = schemaOf(r.body, 'input');
    op.requestBody = { required: true, content: Object.fromEntries((r.contentTypes ?? ['application/json']).map((type) => [type, { schema }])) };
  }
  if (r.scope !== 'public') op.security = [{ apiKey: [] }];
  if (r.scope === 'admin') op['x-twofold-scope'] = 'admin';
  return op;
}

export function buildOpenApiDocument(serverUrl?: string): JsonObject {
  const paths: Record<string, JsonObject> = {};
  for (const r of routes as readonly RouteDefinition[]) {
    (paths[r.path] ??= {})[r.method.toLowerCase()] = operationOf(r);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Twofold',
      version: '1',
      description: 'Two-factor authentication that client apps call server-to-server after checking a password.',
    },
    ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
    paths,
    components: {
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: "A tenant's API key (scope app or admin)" } },
      schemas: { Error: schemaOf(ErrorBody, 'output') },
    },
  };
}
