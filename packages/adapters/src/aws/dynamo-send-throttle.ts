import { BatchGetCommand, DeleteCommand, QueryCommand, GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SendLimits, SendThrottle, SendTicket, ThrottleOutcome } from '@twofold/core/ports';
import { conditional } from './dynamo';

const HOUR_MS = 3_600_000;

/**
 * Velocity limits as sliding-window counters (the sliding hour is estimated from this hour's
 * count and the previous hour's count weighted by how much of it still falls in the window).
 * One item counts a user's sends; one item per tenant counts the tenant's sends and, in the same
 * item, each destination's (keyed by a hash). Each is bumped by one conditional write that
 * refuses past the limit, so parallel requests cannot overshoot: a send costs one read (the
 * previous hour) and two writes. A refusal counts nothing: when the tenant's item refuses after
 * the user's was bumped, the user's bump is taken back, and `release` takes back both.
 */
export class DynamoSendThrottle implements SendThrottle {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async take({ tenantId, userId, destinationKey, nowMs, limits }: { tenantId: string; userId: string; destinationKey: string; nowMs: number; limits: SendLimits }): Promise<ThrottleOutcome> {
    const hour = Math.floor(nowMs / HOUR_MS);
    const userPk = `THROTTLE#${tenantId}#USER#${userId}`;
    const tenantPk = `THROTTLE#${tenantId}`;
    const destAttr = `d_${destinationKey}`;
    const { Responses } = await this.db.send(
      new BatchGetCommand({
        RequestItems: {
          [this.tableName]: {
            Keys: [
              { pk: userPk, sk: `H#${hour - 1}` },
              { pk: tenantPk, sk: `H#${hour - 1}` },
            ],
            ProjectionExpression: 'pk, sends, #total, #dest',
            ExpressionAttributeNames: { '#total': 'total', '#dest': destAttr },
          },
        },
      }),
    );
    const previous = new Map((Responses?.[this.tableName] ?? []).map((item) => [item.pk as string, item]));
    const stillInWindow = 1 - (nowMs % HOUR_MS) / HOUR_MS;
    const carried = (n: unknown) => Math.floor(((n as number | undefined) ?? 0) * stillInWindow);
    const allowance = {
      user: limits.perUserPerHour - carried(previous.get(userPk)?.sends),
      tenant: limits.perTenantPerHour - carried(previous.get(tenantPk)?.total),
      destination: limits.perDestinationPerHour - carried(previous.get(tenantPk)?.[destAttr]),
    };
    const retryAfterSeconds = Math.ceil((HOUR_MS - (nowMs % HOUR_MS)) / 1000);
    const ttl = Math.ceil(((hour + 2) * HOUR_MS) / 1000) + 3600;

    const refuse = (scope: 'user' | 'destination' | 'tenant'): ThrottleOutcome => ({ allowed: false, scope, retryAfterSeconds });
    for (const scope of ['user', 'tenant', 'destination'] as const) if (allowance[scope] <= 0) return refuse(scope);

    const userCounted = await conditional(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: userPk, sk: `H#${hour}` },
          UpdateExpression: 'ADD sends :one SET #ttl = :ttl',
          ConditionExpression: 'attribute_not_exists(sends) OR sends < :allowed',
          ExpressionAttributeNames: { '#ttl': 'ttl' },
          ExpressionAttributeValues: { ':one': 1, ':allowed': allowance.user, ':ttl': ttl },
        }),
      ),
    );
    if (!userCounted) return refuse('user');

    const ticket: SendTicket = { tenantId, userId, destinationKey, nowMs };
    const tenantCounted = await conditional(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: tenantPk, sk: `H#${hour}` },
          UpdateExpression: 'ADD #total :one, #dest :one SET #ttl = :ttl',
          ConditionExpression: '(attribute_not_exists(#total) OR #total < :tenantAllowed) AND (attribute_not_exists(#dest) OR #dest < :destAllowed)',
          ExpressionAttributeNames: { '#total': 'total', '#dest': destAttr, '#ttl': 'ttl' },
          ExpressionAttributeValues: { ':one': 1, ':tenantAllowed': allowance.tenant, ':destAllowed': allowance.destination, ':ttl': ttl },
        }),
      ),
    );
    if (tenantCounted) return { allowed: true, ticket };
    await this.uncount(userPk, hour, 'ADD sends :minus', 'sends > :zero', {});
    // which of the two limits held it back (the refusal path only)
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { pk: tenantPk, sk: `H#${hour}` }, ConsistentRead: true }));
    return refuse(((Item?.total as number | undefined) ?? 0) >= allowance.tenant ? 'tenant' : 'destination');
  }

  async release({ tenantId, userId, destinationKey, nowMs }: SendTicket): Promise<void> {
    const hour = Math.floor(nowMs / HOUR_MS);
    await Promise.all([
      this.uncount(`THROTTLE#${tenantId}#USER#${userId}`, hour, 'ADD sends :minus', 'sends > :zero', {}),
      this.uncount(`THROTTLE#${tenantId}`, hour, 'ADD #total :minus, #dest :minus', '#total > :zero AND #dest > :zero', { '#total': 'total', '#dest': `d_${destinationKey}` }),
    ]);
  }

  /** Takes one back from the hour's counter, never below zero (a release after the item expired is a no-op). */
  private async uncount(pk: string, hour: number, update: string, condition: string, names: Record<string, string>): Promise<void> {
    await conditional(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk, sk: `H#${hour}` },
          UpdateExpression: update,
          ConditionExpression: condition,
          ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
          ExpressionAttributeValues: { ':minus': -1, ':zero': 0 },
        }),
      ),
    );
  }

  async forgetUser(tenantId: string, userId: string): Promise<void> {
    const { Items = [] } = await this.db.send(
      new QueryCommand({ TableName: this.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `THROTTLE#${tenantId}#USER#${userId}` }, ProjectionExpression: 'pk, sk' }),
    );
    await Promise.all(Items.map((item) => this.db.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: item.pk, sk: item.sk } }))));
  }
}
