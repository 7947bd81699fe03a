/** Percentiles, throughput and a bounded-concurrency runner. */

export interface LatencySummary {
  count: number;
  /** The median of the rounds' ops/s (one round: its ops/s). */
  opsPerSecond: number;
  roundsOpsPerSecond: number[];
  meanMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface TimedRun {
  latenciesMs: number[];
  wallMs: number;
}

/** Latency percentiles over every op of every round; ops/s per round, and their median. */
export function summarise(rounds: TimedRun[]): LatencySummary {
  const sorted = rounds.flatMap((r) => r.latenciesMs).sort((a, b) => a - b);
  const sum = sorted.reduce((a, b) => a + b, 0);
  const roundsOpsPerSecond = rounds.map((r) => (r.wallMs > 0 ? (r.latenciesMs.length * 1000) / r.wallMs : NaN));
  return {
    count: sorted.length,
    opsPerSecond: median(roundsOpsPerSecond),
    roundsOpsPerSecond,
    meanMs: sorted.length ? sum / sorted.length : NaN,
    p50Ms: percentile(sorted, 50),
    p95Ms: percentile(sorted, 95),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.at(-1) ?? NaN,
  };
}

export const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

/**
 * Runs `op` over `items` with at most `concurrency` in flight; returns each op's latency and
 * the wall time of the whole run (what ops/s is computed from).
 */
export async function runPool<T>(items: T[], concurrency: number, op: (item: T, index: number) => Promise<void>): Promise<TimedRun> {
  const latenciesMs = new Array<number>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      const t0 = nowMs();
      await op(items[i]!, i);
      latenciesMs[i] = nowMs() - t0;
    }
  };
  const start = nowMs();
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return { latenciesMs, wallMs: nowMs() - start };
}

/** Ordinary sequential-or-parallel work (setup), without timing. */
export async function forEachLimited<T>(items: T[], concurrency: number, op: (item: T, index: number) => Promise<void>): Promise<void> {
  await runPool(items, concurrency, op);
}
