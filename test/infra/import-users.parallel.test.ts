/**
 * `npm run users:import` with several batches in flight, against a stand-in API whose answers
 * come back out of order: a stop names the first line of the lowest batch not answered (every
 * line before it was), the batches after it that were answered are counted, and a batch that had
 * to be sent again halves the batches in flight for the rest of the file.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importUsersFile, type ImportIo } from '../../infra/cli/import-users';

let dir: string;
let file: string;
const LINES = 12;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'twofold-import-parallel-'));
  file = join(dir, 'users.jsonl');
  await writeFile(file, Array.from({ length: LINES }, (_, i) => `${JSON.stringify({ userId: `u${i + 1}`, factors: [] })}\n`).join(''));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A stand-in API: `answer` says how each batch (by its first user's line) is answered, and after how long. */
function io(answer: (firstLine: number, attempt: number) => { status: number; afterMs: number; written?: boolean }) {
  const attempts = new Map<number, number>();
  const stored = new Set<string>();
  let inFlight = 0;
  const seen = { maxInFlight: 0, inFlightAt: [] as number[], out: [] as string[] };
  const fake: ImportIo = {
    out: (text) => void seen.out.push(text),
    progress: () => undefined,
    sleep: () => Promise.resolve(),
    fetch: (async (_url: string, init: { body: string }) => {
      const users = (JSON.parse(init.body) as { users: { userId: string }[] }).users;
      const first = Number(users[0]?.userId.slice(1));
      const attempt = (attempts.get(first) ?? 0) + 1;
      attempts.set(first, attempt);
      inFlight++;
      seen.maxInFlight = Math.max(seen.maxInFlight, inFlight);
      seen.inFlightAt.push(inFlight);
      const { status, afterMs, written = status === 200 } = answer(first, attempt);
      await new Promise((resolve) => setTimeout(resolve, afterMs));
      inFlight--;
      // as the API does: a user already stored comes back unchanged
      const fresh = users.filter((u) => !stored.has(u.userId)).length;
      if (written) for (const u of users) stored.add(u.userId);
      const body = status === 200 ? { imported: fresh, unchanged: users.length - fresh, failed: [] } : { error: { code: 'x', message: 'no' } };
      return new Response(JSON.stringify(body), { status });
    }) as unknown as typeof fetch,
  };
  return { fake, seen };
}

const args = (...more: string[]) => ['--file', file, '--base-url', 'http://api.test', '--admin-key', 'tf_x', '--batch-size', '2', ...more];

describe('users:import with batches in parallel', () => {
  it('stops at the lowest batch not answered, counting the later batches that were', async () => {
    // lines 5-6 refused (a 400: not retried), answered after the batches behind it
    const { fake, seen } = io((first) => ({ status: first === 5 ? 400 : 200, afterMs: first === 5 ? 30 : first === 7 ? 5 : 1 }));
    const { code, summary } = await importUsersFile(args('--parallel', '4'), fake);
    expect(code).toBe(1);
    expect(summary?.stoppedAt).toBe(5);
    expect(seen.out).toContain('resume with --from-line 5');
    // lines 1-4 answered first, then 7-12 went out beside the slow refused batch and were answered: counted
    expect(summary?.imported).toBe(10);
    expect(seen.maxInFlight).toBeGreaterThan(1);
  });

  it('resumes from that line: the lines before it are not sent again', async () => {
    const sent: number[] = [];
    const { fake } = io((first) => (sent.push(first), { status: 200, afterMs: 1 }));
    const { code, summary } = await importUsersFile(args('--parallel', '4', '--from-line', '5'), fake);
    expect(code).toBe(0);
    expect(summary).toMatchObject({ imported: LINES - 4, lines: LINES - 4 });
    expect(Math.min(...sent)).toBe(5);
  });

  it('halves the batches in flight after a batch had to be sent again (a 503 under load)', async () => {
    const { fake, seen } = io((first, attempt) => ({ status: first === 1 && attempt === 1 ? 503 : 200, afterMs: 5 }));
    const { code, summary } = await importUsersFile(args('--parallel', '4'), fake);
    expect(code).toBe(0);
    expect(summary?.imported).toBe(LINES);
    // 4 at first; after the retry of the first batch, at most 2
    expect(seen.maxInFlight).toBe(4);
    expect(Math.max(...seen.inFlightAt.slice(5))).toBeLessThanOrEqual(2);
  });

  it('says which unchanged users may have been imported by an attempt that got no answer', async () => {
    // lines 3-4 written, then a 503 (the runtime's time limit); lines 7-8 refused with a 429 before any work
    const { fake, seen } = io((first, attempt) => (attempt > 1 ? { status: 200, afterMs: 1 } : first === 3 ? { status: 503, afterMs: 1, written: true } : first === 7 ? { status: 429, afterMs: 1 } : { status: 200, afterMs: 1 }));
    const { code, summary } = await importUsersFile(args('--parallel', '4'), fake);
    expect(code).toBe(0);
    expect(summary).toMatchObject({ imported: LINES - 2, unchanged: 2, unchangedAfterResend: 2 });
    expect(seen.out).toContain(`imported ${LINES - 2}, unchanged 2, failed 0`);
    expect(seen.out).toContain('2 of the unchanged were in a batch sent again after an attempt that got no answer: that attempt may have imported them');
  });
});
