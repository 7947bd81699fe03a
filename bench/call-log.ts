/**
 * Every call the code under test makes to AWS, in order, in one log: DynamoDB through a
 * middleware on the client (at the initialize step: one entry per logical call, retries not
 * included; the DocumentClient shares its client's middleware stack, so the adapters' calls and
 * Powertools' are seen alike), and KMS, EventBridge, SNS and SES through the counting ports in
 * counting-ports.ts. `mark()`/`since()` give the calls made in between, `tally()` counts them.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { nowMs } from './stats';

export type Service = 'DynamoDB' | 'KMS' | 'EventBridge' | 'SNS' | 'SES';

export interface CallRecord {
  service: Service;
  command: string;
  /** e.g. `GetItem attempts CHALLENGE consistent`, `KMS Decrypt` */
  signature: string;
  ms: number;
  /** Capacity units DynamoDB reported (ReturnConsumedCapacity TOTAL). */
  cu?: number;
}

/** What a piece of work cost, by kind of call. */
export interface Tally {
  reads: number;
  writes: number;
  scans: number;
  /** DynamoDB calls that are none of the above (none expected) */
  other: number;
  kms: number;
  /** EventBridge PutEvents */
  publishes: number;
  /** SNS Publish and SES SendEmail */
  sends: number;
  /** Time spent inside DynamoDB calls (SDK, HTTP, dynalite). */
  dynamoMs: number;
  /** Read and write capacity units reported by DynamoDB (ReturnConsumedCapacity: TOTAL). */
  rcu: number;
  wcu: number;
  sequence: string[];
}

const dynamoKinds: Record<string, 'reads' | 'writes' | 'scans'> = {
  GetItem: 'reads',
  Query: 'reads',
  BatchGetItem: 'reads',
  TransactGetItems: 'reads',
  PutItem: 'writes',
  UpdateItem: 'writes',
  DeleteItem: 'writes',
  BatchWriteItem: 'writes',
  TransactWriteItems: 'writes',
  Scan: 'scans',
};

export const isRead = (signature: string) => /^(GetItem|Query|BatchGetItem|TransactGetItems)\b/.test(signature);

export function tally(calls: CallRecord[]): Tally {
  const t: Tally = { reads: 0, writes: 0, scans: 0, other: 0, kms: 0, publishes: 0, sends: 0, dynamoMs: 0, rcu: 0, wcu: 0, sequence: [] };
  for (const call of calls) {
    t.sequence.push(call.signature);
    if (call.service === 'DynamoDB') {
      t[dynamoKinds[call.command] ?? 'other']++;
      t.dynamoMs += call.ms;
      if (dynamoKinds[call.command] === 'reads') t.rcu += call.cu ?? 0;
      else if (dynamoKinds[call.command] === 'writes') t.wcu += call.cu ?? 0;
    } else if (call.service === 'KMS') t.kms++;
    else if (call.service === 'EventBridge') t.publishes++;
    else t.sends++;
  }
  return t;
}

/**
 * The distinct tallies among many, most frequent first: by the calls made, whatever their order
 * (calls made in parallel come back in any order); each shows the first order seen.
 */
export function distinctTallies(tallies: Tally[]): (Tally & { count: number })[] {
  const seen = new Map<string, Tally & { count: number }>();
  for (const t of tallies) {
    const key = [...t.sequence].sort().join(' | ');
    const found = seen.get(key);
    if (found) found.count++;
    else seen.set(key, { ...t, count: 1 });
  }
  return [...seen.values()].sort((a, b) => b.count - a.count);
}

/** A long sequence in short: each distinct call with how many times it came, in first-seen order. */
export function grouped(sequence: string[]): string[] {
  const counts = new Map<string, number>();
  for (const s of sequence) counts.set(s, (counts.get(s) ?? 0) + 1);
  return [...counts].map(([signature, n]) => `${n} × ${signature}`);
}

/** One log for any number of clients and ports. */
export class CallLog {
  readonly calls: CallRecord[] = [];
  /**
   * The census check-ins of the tenant quota (core/tenancy/tenant-quota.ts): per container and tenant at
   * most one a second, made beside the requests and awaited by none but a tenant's first in a
   * container, so they are no request's calls; kept apart and reported per second.
   */
  readonly background: CallRecord[] = [];
  private readonly tableAliases: Map<string, string>;

  constructor(tableNames: Record<string, string>) {
    this.tableAliases = new Map(Object.entries(tableNames).map(([alias, name]) => [name, alias]));
  }

  attach(client: DynamoDBClient): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const command = (context.commandName ?? 'Unknown').replace(/Command$/, '');
        const signature = this.signatureOf(command, args.input as Record<string, unknown>);
        (args.input as Record<string, unknown>).ReturnConsumedCapacity = 'TOTAL';
        const t0 = nowMs();
        let cu: number | undefined;
        try {
          const result = await next(args);
          cu = capacityOf((result.output as { ConsumedCapacity?: unknown }).ConsumedCapacity);
          return result;
        } finally {
          (/ CENSUS\b/.test(signature) ? this.background : this.calls).push({ service: 'DynamoDB', command, signature, ms: nowMs() - t0, cu });
        }
      },
      { step: 'initialize', name: 'twofoldBenchCallLog', priority: 'high' },
    );
  }

  record(service: Exclude<Service, 'DynamoDB'>, command: string): void {
    this.calls.push({ service, command, signature: `${service} ${command}`, ms: 0 });
  }

  mark(): number {
    return this.calls.length;
  }

  since(mark: number): CallRecord[] {
    return this.calls.slice(mark);
  }

  tallySince(mark: number): Tally {
    return tally(this.since(mark));
  }

  private signatureOf(command: string, input: Record<string, unknown>): string {
    const parts = [command, this.tablesOf(input)];
    if (typeof input.IndexName === 'string') parts.push(`index:${input.IndexName}`);
    const pk = partitionKeyOf(input);
    const kind = pk?.split('#')[0];
    if (kind) parts.push(kind);
    if (input.ConsistentRead === true) parts.push('consistent');
    if (typeof input.ConditionExpression === 'string') parts.push('conditional');
    return parts.join(' ');
  }

  private tablesOf(input: Record<string, unknown>): string {
    const alias = (name: string) => this.tableAliases.get(name) ?? name;
    if (typeof input.TableName === 'string') return alias(input.TableName);
    const batch = (input.RequestItems ?? {}) as Record<string, unknown>;
    return Object.keys(batch).map(alias).join('+') || '?';
  }
}

/** The partition key value a call addresses (document or attribute-value form), if it names one. */
function partitionKeyOf(input: Record<string, unknown>): string | undefined {
  const text = (v: unknown) => (typeof v === 'string' ? v : v && typeof v === 'object' && typeof (v as { S?: unknown }).S === 'string' ? (v as { S: string }).S : undefined);
  const key = (input.Key ?? input.Item) as Record<string, unknown> | undefined;
  if (key) return text(key.pk) ?? text(key.id);
  const values = input.ExpressionAttributeValues as Record<string, unknown> | undefined;
  if (values) return text(values[':pk']);
  // BatchGet: the first key of the first table
  const batch = Object.values((input.RequestItems ?? {}) as Record<string, { Keys?: Record<string, unknown>[] }>)[0];
  const first = batch?.Keys?.[0];
  return first ? text(first.pk) : undefined;
}

/** The capacity units of a call's ConsumedCapacity (one entry, or one per table for batches and transactions). */
function capacityOf(consumed: unknown): number | undefined {
  if (!consumed) return undefined;
  const list = (Array.isArray(consumed) ? consumed : [consumed]) as { CapacityUnits?: number }[];
  return list.reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
}
