/**
 * Imports users from a JSON Lines file (one user a line, in the shape of POST /v1/admin/imports'
 * `users[]`) through the API, in batches:
 *
 *   npm run --silent users:import -- --file users.jsonl --base-url https://… --admin-key tf_… [--from-line N] [--batch-size N]
 *
 * A progress bar on stderr (a line per batch when stderr is not a terminal), a summary on stdout
 * at the end: imported, unchanged and failed counts, each failed line with why. A line that is
 * not JSON is reported and skipped like a user the API refused. With --parallel n batches are in flight at
 * once (4 by default, halved for the rest of the file whenever a batch has to be sent again); their answers are taken in file order, so a stop names the first line of
 * the lowest batch not answered, and every line before it was: `--from-line` resumes there (an
 * import is idempotent: lines sent twice come back `unchanged`; batches after it that were
 * answered are counted in the stopped run's summary, and come back `unchanged` on the resume). A batch the API could not take
 * (a 5xx, 429 or a network failure) is retried with a backoff first (after a 5xx or a lost connection
 * the first attempt may have written the batch: the summary says how many unchanged users came back
 * from such a resend). Exit codes: 0 every line
 * imported or unchanged, 2 some lines failed (listed), 1 stopped (resume with the line it names),
 * 64 wrong usage.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

/** The route's limits: users a request and the body size (2 MiB; a batch stays below it). */
const MAX_USERS = 1000;
/**
 * Users a request by default. A 1,000-user request took over the local runtime's 10 s Lambda time
 * at machine load 13 (a 503, then a retry that found them done and counted them unchanged); 250
 * users with 2 in flight did too at load 15. 100 a request keeps each one a few seconds even then.
 */
const BATCH_SIZE = 100;
const MAX_BATCH_BYTES = 1.5 * 1024 * 1024;
const RETRIES = 5;
/**
 * Requests in flight at once. One at a time leaves the service waiting for the CLI and the
 * database for the service; 4 keep each busy (the local engine runs one call at a time, so more
 * only lengthens each request). A deployed API takes more.
 */
const PARALLEL = 4;
const MAX_PARALLEL = 16;

const USAGE = `Usage: npm run --silent users:import -- --file <users.jsonl> --base-url <url> --admin-key <key> [--from-line <n>] [--batch-size <n>]

Imports users and their existing factors (TOTP secrets, phones, email addresses, recovery codes)
from a JSON Lines file, one user a line, in the shape of POST /v1/admin/imports' users[]:
  {"userId":"u1","email":"a@example.com","factors":[{"type":"totp","secret":"JBSWY3DPEHPK3PXP"}]}

  --file        the JSON Lines file
  --base-url    the API's address (the stack's ApiUrl output; http://localhost:3000 for npm start)
  --admin-key   an admin API key of the tenant (or TWOFOLD_ADMIN_KEY)
  --from-line   start at this line (1-based): resume after a stop, from the line it names
  --batch-size  users a request (default ${BATCH_SIZE}, at most ${MAX_USERS})
  --parallel    requests in flight at once (default ${PARALLEL}, at most ${MAX_PARALLEL}); answered in file order
  --help        this text

Exit codes: 0 all imported or unchanged, 2 some lines failed (listed), 1 stopped (resume with --from-line), 64 wrong usage.`;

export interface ImportIo {
  out(text: string): void;
  /** The progress bar's line; `redraw` replaces the last one (a terminal). */
  progress(text: string): void;
  fetch: typeof fetch;
  sleep(ms: number): Promise<void>;
}

interface Options {
  file: string;
  baseUrl: string;
  adminKey: string;
  fromLine: number;
  batchSize: number;
  parallel: number;
}

interface LineFailure {
  line: number;
  userId: string | null;
  code: string;
  message: string;
}

export interface ImportSummary {
  lines: number;
  imported: number;
  unchanged: number;
  failed: LineFailure[];
  /**
   * Of the unchanged, those in a batch sent again after an attempt that got no answer (a timeout,
   * a 5xx, a dropped connection): that attempt may have imported them before it failed, so the
   * CLI cannot tell imported from unchanged for them.
   */
  unchangedAfterResend: number;
  /** The line to resume from after a stop; undefined when the file was read to its end. */
  stoppedAt?: number;
}

function parseOptions(argv: string[], env: NodeJS.ProcessEnv): Options | string {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        file: { type: 'string' },
        'base-url': { type: 'string' },
        'admin-key': { type: 'string' },
        'from-line': { type: 'string' },
        'batch-size': { type: 'string' },
        parallel: { type: 'string' },
        help: { type: 'boolean' },
      },
      strict: true,
    }));
  } catch (error) {
    return (error as Error).message;
  }
  if (values.help) return 'help';
  const adminKey = values['admin-key'] ?? env.TWOFOLD_ADMIN_KEY;
  if (!values.file || !values['base-url'] || !adminKey) return '--file, --base-url and --admin-key are required';
  const fromLine = Number(values['from-line'] ?? '1');
  const batchSize = Number(values['batch-size'] ?? String(BATCH_SIZE));
  if (!Number.isInteger(fromLine) || fromLine < 1) return '--from-line must be a line number (1 or more)';
  const parallel = Number(values.parallel ?? String(PARALLEL));
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_USERS) return `--batch-size must be 1 to ${MAX_USERS}`;
  if (!Number.isInteger(parallel) || parallel < 1 || parallel > MAX_PARALLEL) return `--parallel must be 1 to ${MAX_PARALLEL}`;
  return { file: values.file, baseUrl: values['base-url'].replace(/\/+$/, ''), adminKey, fromLine, batchSize, parallel };
}

async function countLines(file: string): Promise<number> {
  let n = 0;
  for await (const _ of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) n++;
  return n;
}

const bar = (done: number, total: number, s: ImportSummary) => {
  const width = 30;
  const filled = total === 0 ? width : Math.round((done / total) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} lines · imported ${s.imported} · unchanged ${s.unchanged} · failed ${s.failed.length}`;
};

interface Batch {
  lines: number[];
  users: unknown[];
  bytes: number;
}

type Answer = { imported: number; unchanged: number; failed: { index: number; userId: string | null; error: { code: string; message: string } }[] };
/** The API's answer, and whether an earlier attempt of the batch may have done the work without answering. */
type Sent = { answer: Answer; resent: boolean } | { refused: string };

/** Sends one batch, retrying what may pass on a retry; undefined when it never did (the import stops there). */
async function send(io: ImportIo, options: Options, batch: Batch, strained: () => void): Promise<Sent> {
  let last = '';
  // a 429 is refused before any work; a 5xx or a lost connection may come after the batch was written
  let mayHaveLanded = false;
  for (let attempt = 0; attempt <= RETRIES; attempt++) {
    if (attempt > 0) {
      strained();
      await io.sleep(Math.min(500 * 2 ** (attempt - 1), 8000));
    }
    try {
      const response = await io.fetch(`${options.baseUrl}/v1/admin/imports`, {
        method: 'POST',
        headers: { authorization: `Bearer ${options.adminKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ users: batch.users }),
      });
      const text = await response.text();
      if (response.status === 200) return { answer: JSON.parse(text) as Answer, resent: mayHaveLanded };
      last = `${response.status} ${text.slice(0, 300)}`;
      if (response.status >= 500) mayHaveLanded = true;
      // a refusal that a retry would get again (a wrong key, a body the API does not take) stops at once
      if (response.status < 500 && response.status !== 429) return { refused: last };
    } catch (error) {
      last = (error as Error).message;
      mayHaveLanded = true;
    }
  }
  return { refused: last };
}

export async function importUsersFile(argv: string[], io: ImportIo, env: NodeJS.ProcessEnv = {}): Promise<{ code: number; summary?: ImportSummary }> {
  const options = parseOptions(argv, env);
  if (options === 'help') {
    io.out(USAGE);
    return { code: 0 };
  }
  if (typeof options === 'string') {
    io.out(`${options}\n\n${USAGE}`);
    return { code: 64 };
  }
  let total: number;
  try {
    total = await countLines(options.file);
  } catch (error) {
    io.out(`cannot read ${options.file}: ${(error as Error).message}`);
    return { code: 64 };
  }
  const summary: ImportSummary = { lines: 0, imported: 0, unchanged: 0, unchangedAfterResend: 0, failed: [] };
  let batch: Batch = { lines: [], users: [], bytes: 0 };
  let lineNo = 0;
  // batches in flight, oldest first: they are sent together but answered in file order, so a stop
  // still names a line before which every line was answered
  const inFlight: { batch: Batch; answer: Promise<Sent> }[] = [];
  // a batch the API could not take (a 5xx, a 429: a timeout under load) halves the batches in
  // flight for the rest of the file, so that a loaded service is not sent more than it answers
  let parallel = options.parallel;
  const strained = () => (parallel = Math.max(1, Math.floor(parallel / 2)));

  const settleOldest = async (): Promise<boolean> => {
    const { batch: sent, answer: pending } = inFlight.shift()!;
    const answer = await pending;
    if ('refused' in answer) {
      // the lowest batch not answered: every line before it was, so the resume starts here
      summary.stoppedAt = sent.lines[0];
      io.out(`stopped: the API did not take the batch from line ${sent.lines[0]} (${answer.refused})`);
      // what the batches after it did is counted (their users come back unchanged on the resume)
      for (const later of inFlight.splice(0)) {
        const done = await later.answer;
        if (!('refused' in done)) count(later.batch, done);
      }
      return false;
    }
    count(sent, answer);
    io.progress(bar(sent.lines[sent.lines.length - 1]!, total, summary));
    return true;
  };
  const count = (sent: Batch, { answer, resent }: { answer: Answer; resent: boolean }) => {
    summary.imported += answer.imported;
    summary.unchanged += answer.unchanged;
    if (resent) summary.unchangedAfterResend += answer.unchanged;
    for (const f of answer.failed) summary.failed.push({ line: sent.lines[f.index] ?? 0, userId: f.userId, code: f.error.code, message: f.error.message });
  };

  const dispatch = async (): Promise<boolean> => {
    if (batch.users.length === 0) return true;
    inFlight.push({ batch, answer: send(io, options, batch, strained) });
    batch = { lines: [], users: [], bytes: 0 };
    while (inFlight.length >= parallel) if (!(await settleOldest())) return false;
    return true;
  };

  for await (const line of createInterface({ input: createReadStream(options.file), crlfDelay: Infinity })) {
    lineNo++;
    if (lineNo < options.fromLine || line.trim() === '') continue;
    let user: unknown;
    try {
      user = JSON.parse(line);
    } catch {
      summary.failed.push({ line: lineNo, userId: null, code: 'invalid_json', message: 'the line is not JSON' });
      continue;
    }
    const bytes = Buffer.byteLength(line, 'utf8') + 1;
    if (batch.users.length >= options.batchSize || batch.bytes + bytes > MAX_BATCH_BYTES) {
      if (!(await dispatch())) return finish(io, summary, 1);
    }
    batch.lines.push(lineNo);
    batch.users.push(user);
    batch.bytes += bytes;
  }
  if (!(await dispatch())) return finish(io, summary, 1);
  while (inFlight.length > 0) if (!(await settleOldest())) return finish(io, summary, 1);
  summary.lines = Math.max(0, lineNo - options.fromLine + 1);
  return finish(io, summary, summary.failed.length > 0 ? 2 : 0);
}

function finish(io: ImportIo, summary: ImportSummary, code: number): { code: number; summary: ImportSummary } {
  summary.failed.sort((a, b) => a.line - b.line);
  for (const f of summary.failed) io.out(`line ${f.line}${f.userId ? ` (${f.userId})` : ''}: ${f.code}: ${f.message}`);
  io.out(`imported ${summary.imported}, unchanged ${summary.unchanged}, failed ${summary.failed.length}`);
  if (summary.unchangedAfterResend > 0) io.out(`${summary.unchangedAfterResend} of the unchanged were in a batch sent again after an attempt that got no answer: that attempt may have imported them`);
  if (summary.stoppedAt !== undefined) io.out(`resume with --from-line ${summary.stoppedAt}`);
  return { code, summary };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const tty = process.stderr.isTTY;
  const io: ImportIo = {
    out: (text) => process.stdout.write(`${text}\n`),
    progress: (text) => process.stderr.write(tty ? `\r${text}` : `${text}\n`),
    fetch,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
  const { code } = await importUsersFile(process.argv.slice(2), io, process.env);
  if (tty) process.stderr.write('\n');
  process.exitCode = code;
}
