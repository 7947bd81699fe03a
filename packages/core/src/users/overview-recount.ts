/**
 * The scheduled recount: the overview's counters are moved by each user change in the same
 * transaction (they cannot drift by a failure), but a counter edited by hand, a restore from a
 * backup, or a bug would make them lie. The recount sums every user's summary and, where a
 * counter differs, moves it to the count — unless changes came in while it counted (the counters
 * moved meanwhile): then it leaves them for its next run.
 */
import type { CoreDeps } from '../deps';
import { summaryDelta } from './enforcement';

export interface Repair {
  counter: string;
  was: number;
  now: number;
}

export type RecountOutcome = { status: 'exact' } | { status: 'repaired'; repairs: Repair[] } | { status: 'moving' };

const PAGE = 500;

export async function recountOverview(deps: Pick<CoreDeps, 'users' | 'stats'>, tenantId: string): Promise<RecountOutcome> {
  const before = await deps.stats.read(tenantId);
  const expected: Record<string, number> = {};
  let cursor: string | undefined;
  do {
    const page = await deps.users.summaries(tenantId, cursor, PAGE);
    for (const summary of page.summaries) {
      for (const [name, n] of Object.entries(summaryDelta(undefined, summary))) expected[name] = (expected[name] ?? 0) + n;
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  const after = await deps.stats.read(tenantId);
  const same = (a: Record<string, number>, b: Record<string, number>) => [...new Set([...Object.keys(a), ...Object.keys(b)])].every((k) => (a[k] ?? 0) === (b[k] ?? 0));
  if (!same(before, after)) return { status: 'moving' };
  const repairs: Repair[] = [];
  const delta: Record<string, number> = {};
  for (const counter of new Set([...Object.keys(expected), ...Object.keys(after)])) {
    const was = after[counter] ?? 0;
    const now = expected[counter] ?? 0;
    if (was !== now) {
      repairs.push({ counter, was, now });
      delta[counter] = now - was;
    }
  }
  if (repairs.length === 0) return { status: 'exact' };
  await deps.stats.add(tenantId, delta);
  return { status: 'repaired', repairs };
}
