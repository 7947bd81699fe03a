/**
 * The bench's DynamoDB engine, in a process of its own either way (so that its CPU work does not
 * share the event loop of the handlers being measured, as DynamoDB does not share a Lambda's CPU):
 * `npm start`'s dynalite engine by default, or Amazon's DynamoDB Local, the tests' engine, with
 * BENCH_ENGINE=dynamodb-local. In memory.
 */
import type { TableNames } from '@twofold/adapters/tables';
import { LOCAL_ENGINES, localEngineOf, startLocalDynamo, type LocalEngine } from '@twofold/local/dynamodb-local';

export interface BenchDynamo {
  endpoint: string;
  tableNames: TableNames;
  engine: LocalEngine;
  stop(): Promise<void>;
}

export function benchEngine(): LocalEngine {
  const asked = process.env.BENCH_ENGINE;
  if (asked === undefined || asked === '') return 'dynalite';
  const engine = localEngineOf(asked);
  if (!engine) throw new Error(`BENCH_ENGINE must be one of ${LOCAL_ENGINES.join(', ')}`);
  return engine;
}

export async function startBenchDynamo(): Promise<BenchDynamo> {
  const engine = benchEngine();
  const dynamo = await startLocalDynamo({ engine, tablePrefix: 'bench' });
  return { ...dynamo, engine };
}
