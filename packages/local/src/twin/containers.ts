/**
 * The twin's Lambda service: each function runs in containers of its own (child processes of
 * plain `node`, ./bootstrap.mjs) made from its deployed asset, with exactly the environment the
 * template gives it plus what the Lambda runtime adds (region, function name, memory, handler,
 * credentials of its own role, and AWS_ENDPOINT_URL: the twin's AWS gateway). A container serves
 * one invocation at a time; concurrent invocations get new containers (cold starts), as in
 * Lambda, up to the function's reserved concurrency. The timeout kills the container.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { TwinFunction } from './assembly';
import { TWIN_REGION } from './assembly';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export type InvokeOutcome = { kind: 'result'; result: unknown } | { kind: 'error'; errorType: string } | { kind: 'timeout' } | { kind: 'crashed'; message: string } | { kind: 'throttled' };

interface Container {
  process: ChildProcess;
  busy: boolean;
  pending: Map<string, (outcome: InvokeOutcome) => void>;
}

const bootstrap = fileURLToPath(new URL('./bootstrap.mjs', import.meta.url));

/** Lambda's own limit per account and region when a function reserves none (the twin's ceiling per function). */
const UNRESERVED_CONCURRENCY = 1000;

export interface FunctionPoolOptions {
  fn: TwinFunction;
  credentials: Credentials;
  awsEndpoint: string;
  /** Where each line the function prints goes (its CloudWatch log stream). */
  log: (line: string) => void;
  /** The twin's clock is a test's: time stands still within an invocation. */
  frozenClock?: boolean;
}

export class FunctionPool {
  private readonly containers = new Set<Container>();
  /** Containers started so far: cold starts. */
  coldStarts = 0;

  constructor(private readonly options: FunctionPoolOptions) {}

  get size() {
    return this.containers.size;
  }

  private environment(): Record<string, string> {
    const { fn, credentials, awsEndpoint } = this.options;
    return {
      ...fn.environment,
      AWS_REGION: TWIN_REGION,
      AWS_DEFAULT_REGION: TWIN_REGION,
      AWS_LAMBDA_FUNCTION_NAME: fn.functionName,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.functionName}`,
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      LAMBDA_TASK_ROOT: fn.codeDirectory,
      _HANDLER: fn.handler,
      TZ: 'UTC',
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_SESSION_TOKEN: `twin-session-${fn.name}`,
      // the twin's one addition: every AWS call goes to its gateway, where IAM is evaluated
      AWS_ENDPOINT_URL: awsEndpoint,
      // Node 20 here where Lambda runs 22: silence the SDK's notice about it
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
  }

  private async start(): Promise<Container> {
    const { fn, log } = this.options;
    const child = fork(bootstrap, [], {
      env: this.environment(),
      execArgv: [`--max-old-space-size=${Math.max(64, Math.floor(fn.memoryMb * 0.8))}`],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      cwd: fn.codeDirectory,
    });
    const container: Container = { process: child, busy: true, pending: new Map() };
    this.containers.add(container);
    this.coldStarts++;
    let partial = '';
    const lines = (chunk: Buffer) => {
      partial += chunk.toString('utf8');
      const parts = partial.split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) if (line) log(line);
    };
    child.stdout?.on('data', lines);
    child.stderr?.on('data', lines);
    const ready = new Promise<void>((resolve, reject) => {
      child.on('message', (message: { type: string; id?: string; result?: unknown; errorType?: string; message?: string }) => {
        if (message.type === 'ready') resolve();
        else if (message.type === 'init-error') reject(new Error(`${fn.name}: Runtime.ImportModuleError: ${message.message ?? ''}`));
        else if (message.id) {
          const settle = container.pending.get(message.id);
          container.pending.delete(message.id);
          settle?.(message.type === 'result' ? { kind: 'result', result: message.result } : { kind: 'error', errorType: message.errorType ?? 'Error' });
        }
      });
      child.on('exit', (code, signal) => {
        this.containers.delete(container);
        reject(new Error(`${fn.name}: the container exited before it was ready (${signal ?? code})`));
        for (const settle of container.pending.values()) settle({ kind: 'crashed', message: `exited (${signal ?? code})` });
        container.pending.clear();
      });
    });
    await ready;
    return container;
  }

  /** Runs one invocation: in an idle container, or in a new one (a cold start). */
  async invoke(event: unknown, nowMs: number): Promise<InvokeOutcome> {
    const { fn } = this.options;
    let container = [...this.containers].find((c) => !c.busy);
    if (container) container.busy = true;
    else if (this.containers.size >= (fn.reservedConcurrency ?? UNRESERVED_CONCURRENCY)) return { kind: 'throttled' };
    else {
      try {
        container = await this.start();
      } catch (error) {
        return { kind: 'crashed', message: error instanceof Error ? error.message : String(error) };
      }
    }
    const id = randomUUID();
    const running = container;
    const outcome = await new Promise<InvokeOutcome>((resolve) => {
      const timer = setTimeout(() => {
        running.pending.delete(id);
        resolve({ kind: 'timeout' });
        running.process.kill('SIGKILL');
      }, fn.timeoutSeconds * 1000);
      running.pending.set(id, (o) => {
        clearTimeout(timer);
        resolve(o);
      });
      running.process.send({ type: 'invoke', id, event, nowMs, frozen: this.options.frozenClock ?? false, timeoutMs: fn.timeoutSeconds * 1000, requestId: id, functionArn: fn.arn });
    });
    running.busy = false;
    return outcome;
  }

  async stop(): Promise<void> {
    await Promise.all(
      [...this.containers].map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.process.exitCode !== null || c.process.signalCode !== null) return resolve();
            c.process.once('exit', () => resolve());
            c.process.kill('SIGTERM');
          }),
      ),
    );
    this.containers.clear();
  }
}
