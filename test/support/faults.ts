/**
 * Fault injection on the real DynamoDB clients: their HTTP handler (the one both of the runtime's
 * clients send through: `dynamo`, and `hotDynamo` of the login's calls) makes the N-th DynamoDB
 * request (counted from when it is armed) fail, either before it is sent (nothing happened) or
 * after DynamoDB answered it (the write is made, the caller is told it failed) — as a DynamoDB
 * 500, a throttle or a Lambda timeout between the two would look to the code. At the transport,
 * so that a client that keeps its resolved middleware (cacheMiddleware) cannot leave it out; the
 * fault is one the SDK does not retry (the call fails as its caller sees it, as if the SDK had
 * given up), and it carries the SDK's server-fault mark, so the code answers it as a store failure.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

export type FaultPoint = 'before' | 'after';

export class InjectedFault extends Error {
  override name = 'InternalServerError';
  readonly $fault = 'server';
  constructor(readonly call: string, readonly point: FaultPoint) {
    super(`injected fault ${point} ${call}`);
  }
}

type Transport = DynamoDBClient['config']['requestHandler'];

export class FaultInjector {
  private armed: { nth: number; point: FaultPoint } | undefined;
  private seen = 0;
  /** The commands seen since the last arm() or count(), in order. */
  readonly calls: string[] = [];
  /** Whether the armed fault fired. */
  fired = false;

  constructor(clients: { dynamo: DynamoDBClient; hotDynamo: DynamoDBClient }) {
    for (const transport of new Set<Transport>([clients.dynamo.config.requestHandler, clients.hotDynamo.config.requestHandler])) {
      const handle = transport.handle.bind(transport);
      transport.handle = async (request, options) => {
        const target = String((request as { headers?: Record<string, string> }).headers?.['x-amz-target'] ?? '');
        const call = `${target.split('.')[1] ?? 'Unknown'}Command`;
        this.calls.push(call);
        const nth = ++this.seen;
        const armed = this.armed;
        if (!armed || nth !== armed.nth) return handle(request, options);
        this.fired = true;
        if (armed.point === 'before') throw new InjectedFault(call, 'before');
        const answered = await handle(request, options);
        // the answer is drained unread, so that its connection goes back to the pool
        const body: unknown = answered.response.body;
        if (typeof body === 'object' && body !== null && 'resume' in body && typeof body.resume === 'function') body.resume();
        throw new InjectedFault(call, 'after');
      };
    }
  }

  /** Counts calls from now, failing none. */
  count(): void {
    this.armed = undefined;
    this.seen = 0;
    this.fired = false;
    this.calls.length = 0;
  }

  arm(nth: number, point: FaultPoint): void {
    this.count();
    this.armed = { nth, point };
  }

  disarm(): void {
    this.armed = undefined;
  }
}
