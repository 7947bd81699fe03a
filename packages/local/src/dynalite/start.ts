/**
 * Starts the local DynamoDB engine (./engine.ts) in a process of its own, off the handlers' event
 * loop, and answers its endpoint once it serves.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface RunningEngine {
  endpoint: string;
  /** Stop it with SIGTERM: it closes its store first. */
  process: ChildProcess;
}

const entry = fileURLToPath(new URL('./engine-main.ts', import.meta.url));
// TypeScript as the rest of the runtime runs it, whatever ran this module (tsx, vitest)
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

export async function startEngine(path?: string): Promise<RunningEngine> {
  if (path) mkdirSync(path, { recursive: true, mode: 0o700 });
  const child = fork(entry, path ? [path] : [], { execArgv: ['--import', tsx], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m: unknown) => {
      const port = typeof m === 'object' && m !== null && 'port' in m ? Number(m.port) : NaN;
      if (Number.isInteger(port)) resolve(port);
      else reject(new Error(`the local DynamoDB engine said ${JSON.stringify(m)}`));
    });
    child.once('exit', (code) => reject(new Error(`the local DynamoDB engine exited (${code}) before it served`)));
  });
  // it must not keep a finished process alive
  child.unref();
  child.channel?.unref();
  return { endpoint: `http://127.0.0.1:${port}`, process: child };
}
