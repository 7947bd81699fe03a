/**
 * The outside programs the tests run (oathtool, zbarimg), started by a small helper process
 * instead of by the test worker itself. Starting a program copies the page tables of the process
 * that starts it: a test worker (the runtime, the AWS SDK, a file's data; hundreds of MB) pays
 * about 16 ms of CPU a start where a bare node pays about 6 (measured here), and the suite
 * starts such programs hundreds of times. One helper per worker, started on first use; it goes
 * when the worker does. What the programs print is theirs, unchanged.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

const isAnswer = (m: unknown): m is Outcome & { id: number } =>
  typeof m === 'object' && m !== null && 'id' in m && typeof m.id === 'number' && 'code' in m && typeof m.code === 'number' && 'stdout' in m && typeof m.stdout === 'string' && 'stderr' in m && typeof m.stderr === 'string';

const waiting = new Map<number, (outcome: Outcome) => void>();
let runner: ChildProcess | undefined;
let nextId = 0;

function programRunner(): ChildProcess {
  if (runner?.connected) return runner;
  // a bare node: none of the worker's own options (its loaders, its heap)
  const child = fork(fileURLToPath(new URL('./program-runner.mjs', import.meta.url)), [], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  child.on('message', (m: unknown) => {
    if (!isAnswer(m)) return;
    waiting.get(m.id)?.(m);
    waiting.delete(m.id);
    idleWhenDone(child);
  });
  child.on('exit', () => {
    for (const settle of waiting.values()) settle({ code: -1, stdout: '', stderr: 'the program runner exited' });
    waiting.clear();
  });
  runner = child;
  return child;
}

/** The runner keeps the worker alive only while a program is running. */
function idleWhenDone(child: ChildProcess) {
  if (waiting.size > 0) return;
  child.unref();
  child.channel?.unref();
}

/** Runs `file` with `args` (and `input` on its stdin): what it printed on stdout, or an error with its stderr when it exits non-zero. */
export async function runProgram(file: string, args: string[], input?: string): Promise<string> {
  const id = ++nextId;
  const outcome = await new Promise<Outcome>((resolve) => {
    waiting.set(id, resolve);
    const child = programRunner();
    child.ref();
    child.channel?.ref();
    child.send({ id, file, args, input });
  });
  if (outcome.code !== 0) throw new Error(`${file} exited ${outcome.code}: ${outcome.stderr.trim()}`);
  return outcome.stdout;
}
