/** Starts dynalite for the bench: in a child process (default) or, with BENCH_DYNALITE=inprocess, in this one. */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { TableNames } from '@twofold/adapters/tables';
import { startLocalDynamo } from '@twofold/local/dynamodb-local';
import { childEnv } from './env';

export interface BenchDynamo {
  endpoint: string;
  tableNames: TableNames;
  where: 'child process' | 'in process';
  stop(): Promise<void>;
}

export async function startBenchDynamo(): Promise<BenchDynamo> {
  if (process.env.BENCH_DYNALITE === 'inprocess') {
    const dynamo = await startLocalDynamo({ tablePrefix: 'bench' });
    return { ...dynamo, where: 'in process' };
  }
  const script = fileURLToPath(new URL('./dynalite-server.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['pipe', 'pipe', 'inherit'], env: childEnv() });
  const exited = once(child, 'exit');
  const lines = createInterface({ input: child.stdout });
  const first = await Promise.race([
    once(lines, 'line').then(([line]) => line as string),
    exited.then(([code]) => {
      throw new Error(`dynalite exited early (code ${String(code)})`);
    }),
  ]);
  lines.close();
  const { endpoint, tableNames } = JSON.parse(first) as { endpoint: string; tableNames: TableNames };
  return {
    endpoint,
    tableNames,
    where: 'child process',
    async stop() {
      if (child.exitCode !== null) return;
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGTERM'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
