/**
 * Timed rounds of one kind of operation at one concurrency: latencies, the median of the
 * rounds' ops/s, failures, and every call the operations made (each op counted on its own in
 * sequential rounds, where calls cannot interleave).
 */
import { distinctTallies, tally, type CallLog, type CallRecord, type Tally } from './call-log';
import { runPool, summarise, type LatencySummary, type TimedRun } from './stats';

/** Calls per op, by kind. */
export type PerOp = Omit<Tally, 'dynamoMs' | 'sequence'>;

export interface Leg extends LatencySummary {
  concurrency: number;
  errors: number;
  firstError?: string;
  /** Mean time per op inside DynamoDB calls (SDK, HTTP, dynalite); the rest is outside them. */
  dynamoMeanMs: number;
  /** Every call of the timed ops, divided by their number. */
  perOp: PerOp;
  /** Sequential rounds only: each op's calls, the distinct patterns seen. */
  distinct: (Tally & { count: number })[];
}

/** What an op returns: undefined when it did what it should, else what went wrong. */
export type Op<T> = (item: T) => Promise<string | undefined>;

export class LegRecorder {
  private readonly rounds: TimedRun[] = [];
  private readonly errors: string[] = [];
  private readonly calls: CallRecord[] = [];
  private readonly each: Tally[] = [];

  constructor(
    private readonly log: CallLog,
    readonly concurrency: number,
  ) {}

  async round<T>(items: T[], op: Op<T>): Promise<void> {
    const sequential = this.concurrency === 1;
    const mark = this.log.mark();
    const run = await runPool(items, this.concurrency, async (item) => {
      const own = sequential ? this.log.mark() : 0;
      const error = await op(item).catch((e: unknown) => String(e));
      if (error) this.errors.push(error.slice(0, 300));
      if (sequential) this.each.push(this.log.tallySince(own));
    });
    this.calls.push(...this.log.since(mark));
    this.rounds.push(run);
  }

  result(): Leg {
    const summary = summarise(this.rounds);
    const all = tally(this.calls);
    const per = (n: number) => n / summary.count;
    return {
      ...summary,
      concurrency: this.concurrency,
      errors: this.errors.length,
      ...(this.errors[0] ? { firstError: this.errors[0] } : {}),
      dynamoMeanMs: per(all.dynamoMs),
      perOp: { reads: per(all.reads), writes: per(all.writes), scans: per(all.scans), other: per(all.other), kms: per(all.kms), publishes: per(all.publishes), sends: per(all.sends), rcu: per(all.rcu), wcu: per(all.wcu) },
      distinct: distinctTallies(this.each),
    };
  }
}
