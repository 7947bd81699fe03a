// The twin's stand-in for the Lambda Node.js runtime, run by plain `node` in each container (a
// child process): it loads the function's deployed bundle as Lambda does (LAMBDA_TASK_ROOT, _HANDLER),
// then runs one invocation at a time as the twin sends them over IPC. Time is the twin's: each
// invocation carries the twin's clock, and Date follows it (tests move time; in AWS it is the host's).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const RealDate = Date;
let offsetMs = 0;
/** With the twin's clock injected (tests), time stands still during an invocation, as the test's clock does. */
let frozenAt;
const now = () => frozenAt ?? RealDate.now() + offsetMs;
class TwinDate extends RealDate {
  constructor(...args) {
    if (args.length === 0) super(now());
    else super(...args);
  }
  static now() {
    return now();
  }
}
globalThis.Date = TwinDate;

const root = process.env.LAMBDA_TASK_ROOT ?? '.';
const [moduleName, exportName] = (process.env._HANDLER ?? 'index.handler').split('.');
const file = ['.mjs', '.js', '.cjs'].map((ext) => join(root, `${moduleName}${ext}`)).find((f) => existsSync(f));

let handler;
try {
  if (!file) throw new Error(`Cannot find module '${moduleName}' in ${root}`);
  const loaded = await import(pathToFileURL(file).href);
  handler = loaded[exportName] ?? loaded.default?.[exportName];
  if (typeof handler !== 'function') throw new Error(`${moduleName}.${exportName} is undefined or not exported`);
  process.send({ type: 'ready' });
} catch (error) {
  // Runtime.ImportModuleError: the container never becomes ready
  console.error(JSON.stringify({ errorType: 'Runtime.ImportModuleError', errorMessage: String(error?.message ?? error) }));
  process.send({ type: 'init-error', message: String(error?.message ?? error) });
  process.exit(1);
}

process.on('message', async (message) => {
  if (message?.type !== 'invoke') return;
  offsetMs = message.nowMs - RealDate.now();
  frozenAt = message.frozen ? message.nowMs : undefined;
  const deadline = RealDate.now() + message.timeoutMs;
  const context = {
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: '$LATEST',
    invokedFunctionArn: message.functionArn,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: message.requestId,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: 'twin',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - RealDate.now()),
  };
  try {
    const result = await handler(message.event, context);
    process.send({ type: 'result', id: message.id, result: result ?? null });
  } catch (error) {
    console.error(JSON.stringify({ errorType: error?.name ?? 'Error', errorMessage: String(error?.message ?? error), requestId: message.requestId }));
    process.send({ type: 'error', id: message.id, errorType: error?.name ?? 'Error' });
  }
});
