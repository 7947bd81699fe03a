import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { PromptStore } from '@twofold/core/ports';
import type { PromptRecord, PromptStatus } from '@twofold/core/records';
import { conditional, isConditionFailure } from './dynamo';

const promptKey = (tenantId: string, promptId: string) => ({ pk: `PROMPT#${tenantId}#${promptId}`, sk: 'PROMPT' });
/** DynamoDB's TTL removes a prompt a day after it ended (lazy: the code checks expiry itself). */
const ttlOf = (expiresAtMs: number) => Math.ceil(expiresAtMs / 1000) + 86_400;

/** One item per prompt; every change conditional on the status read. */
export class DynamoPromptStore implements PromptStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(prompt: PromptRecord): Promise<void> {
    await this.db.send(
      new PutCommand({ TableName: this.tableName, Item: { ...promptKey(prompt.tenantId, prompt.promptId), ...prompt, ttl: ttlOf(prompt.expiresAtMs) }, ConditionExpression: 'attribute_not_exists(pk)' }),
    );
  }

  async get(tenantId: string, promptId: string): Promise<PromptRecord | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: promptKey(tenantId, promptId), ConsistentRead: true }));
    return Item ? strip(Item) : undefined;
  }

  bind(tenantId: string, promptId: string, browserHash: string): Promise<boolean> {
    return conditional(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: promptKey(tenantId, promptId),
          UpdateExpression: 'SET browserHash = :b',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(browserHash)',
          ExpressionAttributeValues: { ':b': browserHash },
        }),
      ),
    );
  }

  update(tenantId: string, promptId: string, expected: PromptStatus, change: Partial<Omit<PromptRecord, 'promptId' | 'tenantId'>>): Promise<boolean> {
    const names: Record<string, string> = { '#status': 'status' };
    const values: Record<string, unknown> = { ':expected': expected };
    const set: string[] = [];
    const remove: string[] = [];
    Object.entries(change).forEach(([field, value], i) => {
      names[`#f${i}`] = field;
      if (value === undefined) remove.push(`#f${i}`);
      else {
        values[`:v${i}`] = value;
        set.push(`#f${i} = :v${i}`);
      }
    });
    const expression = [set.length ? `SET ${set.join(', ')}` : '', remove.length ? `REMOVE ${remove.join(', ')}` : ''].filter(Boolean).join(' ');
    if (!expression) return Promise.resolve(true);
    return conditional(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: promptKey(tenantId, promptId),
          UpdateExpression: expression,
          ConditionExpression: 'attribute_exists(pk) AND #status = :expected',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      ),
    );
  }

  async exchange(tenantId: string, promptId: string, input: { codeHash: string; nowMs: number }): Promise<PromptRecord | undefined> {
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: promptKey(tenantId, promptId),
          // the answer leaves the table with the one exchange that wins
          UpdateExpression: 'SET #status = :exchanged REMOVE sealedResult, codeHash',
          ConditionExpression: '#status = :issued AND codeHash = :hash AND codeExpiresAtMs > :now',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':exchanged': 'exchanged', ':issued': 'code_issued', ':hash': input.codeHash, ':now': input.nowMs },
          ReturnValues: 'ALL_OLD',
        }),
      );
      return Attributes ? strip(Attributes) : undefined;
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }
}

function strip(item: Record<string, unknown>): PromptRecord {
  const { pk: _pk, sk: _sk, ttl: _ttl, ...prompt } = item;
  return prompt as unknown as PromptRecord;
}
