/**
 * Fault injection on the real DynamoDB client: a middleware on the runtime's client makes the
 * N-th DynamoDB call (counted from when it is armed) fail, either before it reaches DynamoDB
 * (nothing happened) or after it took effect (the write is made, the caller is told it failed)
 * — as a DynamoDB 500, a throttle or a Lambda timeout between the two would look to the code.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

export type FaultPoint = 'before' | 'after';

export class InjectedFault extends Error {
  override name = 'InternalServerError';
  readonly $fault = 'server';
  readonly $metadata = { httpStatusCode: 500 };
  constructor(readonly call: string, readonly point: FaultPoint) {
    super(`injected fault ${point} ${call}`);
  }
}

export class FaultInjector {
  private armed: { nth: number; point: FaultPoint } | undefined;
  private seen = 0;
  /** The commands seen since the last arm() or count(), in order. */
  readonly calls: string[] = [];
  /** Whether the armed fault fired. */
  fired = false;

  constructor(client: DynamoDBClient) {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const call = context.commandName ?? 'unknown';
        this.calls.push(call);
        const nth = ++this.seen;
        const armed = this.armed;
        if (!armed || nth !== armed.nth) return next(args);
        this.fired = true;
        if (armed.point === 'before') throw new InjectedFault(call, 'before');
        await next(args);
        throw new InjectedFault(call, 'after');
      },
      // before the SDK's own retries: the whole call fails, as the caller sees it
      { step: 'initialize', name: 'twofoldFaultInjection' },
    );
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
