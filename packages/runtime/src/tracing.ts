/**
 * Powertools Tracer (X-Ray), behind the TWOFOLD_TRACING setting: off by default. Off, the
 * tracer is never imported, and the bundles leave it out (infra/bundling.ts marks it external
 * unless the deployment traces), so neither cold starts nor bundle sizes pay for it. On, each
 * request is a handler subsegment, annotated with its route and cold start; responses are not
 * recorded (they hold assertions, device tokens, recovery codes).
 */
import type { MiddlewareObj } from '@middy/core';

type Middleware = MiddlewareObj<{ routeKey?: string }, unknown>;

async function powertoolsTracer(): Promise<Middleware> {
  const [{ Tracer }, { captureLambdaHandler }] = await Promise.all([import('@aws-lambda-powertools/tracer'), import('@aws-lambda-powertools/tracer/middleware')]);
  const tracer = new Tracer();
  const capture = captureLambdaHandler(tracer, { captureResponse: false }) as Middleware;
  return {
    before: async (request) => {
      await capture.before?.(request);
      if (request.event.routeKey) tracer.putAnnotation('routeKey', request.event.routeKey);
    },
    ...(capture.after ? { after: capture.after } : {}),
    ...(capture.onError ? { onError: capture.onError } : {}),
  };
}

/** The tracing middleware of an HTTP function: asks `enabled` once, at the first request. */
export function tracing(enabled: () => boolean): Middleware {
  let inner: Promise<Middleware | undefined> | undefined;
  const get = () => (inner ??= enabled() ? powertoolsTracer() : Promise.resolve(undefined));
  return {
    before: async (request) => {
      await (await get())?.before?.(request);
    },
    after: async (request) => {
      await (await get())?.after?.(request);
    },
    onError: async (request) => {
      await (await get())?.onError?.(request);
    },
  };
}
