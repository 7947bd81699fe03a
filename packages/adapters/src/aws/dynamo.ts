import { ConditionalCheckFailedException, DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export function documentClient(config: DynamoDBClientConfig | DynamoDBClient = {}): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(config instanceof DynamoDBClient ? config : new DynamoDBClient(config), {
    marshallOptions: { removeUndefinedValues: true },
  });
}

/** Runs a conditional write; false when its condition did not hold (someone else won). */
export async function conditional(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (err) {
    if (isConditionFailure(err)) return false;
    throw err;
  }
}

export function isConditionFailure(err: unknown): boolean {
  return err instanceof ConditionalCheckFailedException || (err as { name?: string })?.name === 'ConditionalCheckFailedException';
}
