/**
 * Fair share, measured: ten tenants on one local runtime with two containers of each function,
 * each with a quota of 10 requests/s and a burst of 20 (190 requests/s in all: what the local runtime serves on 2 CPUs). One floods at ten times its quota for
 * five seconds while the nine others send exactly their quota; every request is paced on time
 * whether or not earlier ones were answered (an open loop, as clients are). Reported per tenant:
 * answered, served, refused for the quota, success rate and p99. Then the per-partition
 * arithmetic for one tenant at the goal's 4,000 verifications/s and 1,000 sends/s.
 */
import { startLocalRuntime } from '@twofold/local/runtime';
import { THROTTLE_SHARDS } from '@twofold/adapters/aws/dynamo-send-throttle';
import { STATS_SHARDS } from '@twofold/adapters/tables';
import { f } from './report';
import { nowMs, percentile } from './stats';

export const FAIR_SHARE = { tenants: 10, requestsPerSecond: 10, burst: 20, seconds: 5, floodFactor: 10, containers: 2 } as const;

export interface TenantOutcome {
  name: string;
  sent: number;
  served: number;
  refused: number;
  other: number;
  p99Ms: number;
  /** From the first request sent to the last answer, in seconds (longer than the sending when the machine falls behind). */
  answeredOverSeconds: number;
}

export interface FairShareResults {
  flooder: TenantOutcome;
  neighbours: TenantOutcome[];
  /** What the flooder may be served: rate × seconds + burst, +25 % (the census's error: docs/operations.md), over the seconds it was sent in... */
  bound: number;
  /** ...and over the seconds it was answered in (the buckets refill while a loaded machine catches up). */
  boundAnswered: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function paced(name: string, baseUrl: string, key: string, perSecond: number, seconds: number): Promise<TenantOutcome> {
  const count = perSecond * seconds;
  const started = performance.now();
  const answers: Promise<{ status: number; ms: number }>[] = [];
  for (let i = 0; i < count; i++) {
    const wait = started + (i * 1000) / perSecond - performance.now();
    if (wait > 1) await sleep(wait);
    const t0 = nowMs();
    answers.push(
      fetch(`${baseUrl}/v1/policy`, { headers: { authorization: `Bearer ${key}` } }).then(
        async (r) => {
          await r.arrayBuffer();
          return { status: r.status, ms: nowMs() - t0 };
        },
        // a connection the server dropped: counted under "other"
        () => ({ status: 0, ms: nowMs() - t0 }),
      ),
    );
  }
  const done = await Promise.all(answers);
  const answeredOverSeconds = (performance.now() - started) / 1000;
  const served = done.filter((d) => d.status === 200);
  return {
    name,
    sent: count,
    served: served.length,
    refused: done.filter((d) => d.status === 429).length,
    other: done.filter((d) => d.status !== 200 && d.status !== 429).length,
    p99Ms: percentile(served.map((d) => d.ms).sort((a, b) => a - b), 99),
    answeredOverSeconds,
  };
}

export async function runFairShareBench(progress: (line: string) => void): Promise<FairShareResults> {
  const { tenants, requestsPerSecond, burst, seconds, floodFactor, containers } = FAIR_SHARE;
  const runtime = await startLocalRuntime({ port: 0, graceTimer: false, containers });
  try {
    const keys = await Promise.all(Array.from({ length: tenants }, (_, i) => runtime.createTenant(`Tenant ${i}`, { requestsPerSecond, burst }).then((t) => t.appKey)));
    // warm containers: each serves each tenant before the mix (the census knows them)
    for (let round = 0; round < 2; round++) {
      for (const key of keys) for (let c = 0; c < containers; c++) await fetch(`${runtime.baseUrl}/v1/policy`, { headers: { authorization: `Bearer ${key}` } }).then((r) => r.arrayBuffer());
      await sleep(1_100);
    }
    progress(`  ${tenants} tenants at ${requestsPerSecond}/s (burst ${burst}), one at ${floodFactor}×, for ${seconds} s...`);
    const [flooder, ...neighbours] = await Promise.all(keys.map((key, i) => paced(i === 0 ? 'flooder' : `tenant ${i}`, runtime.baseUrl, key, i === 0 ? requestsPerSecond * floodFactor : requestsPerSecond, seconds)));
    if (!flooder) throw new Error('no flooder');
    const boundOver = (s: number) => Math.floor((requestsPerSecond * s + burst) * 1.25);
    return { flooder, neighbours, bound: boundOver(seconds), boundAnswered: boundOver(Math.max(seconds, flooder.answeredOverSeconds)) };
  } finally {
    await runtime.stop();
  }
}

const rate = (t: TenantOutcome) => t.served / t.sent;

/** The per-partition arithmetic for one tenant at the goal (DynamoDB: 1,000 WCU and 3,000 RCU a second per partition). */
export function partitionArithmetic(): string[] {
  const verifications = 4_000;
  const sends = 1_000;
  return [
    `   one tenant at ${verifications.toLocaleString('en')} verifications/s + ${sends.toLocaleString('en')} sends/s; a partition takes 1,000 WCU/s and 3,000 RCU/s`,
    `   verification: 1 Query (1 RCU) + 1 conditional write (1 WCU) on the user's own partition: ${verifications.toLocaleString('en')} RCU + ${verifications.toLocaleString('en')} WCU`,
    '     spread over the users; no item is shared by the tenant\'s users, so a partition holds at most 1 WCU/s per user it holds',
    `   send: 1 BatchGetItem of 20 counters (eventually consistent) + 3 counter writes + the challenge: 4 WCU a send`,
    `     the tenant's ${THROTTLE_SHARDS} throttle shards: ${sends.toLocaleString('en')} / ${THROTTLE_SHARDS} = ${sends / THROTTLE_SHARDS} WCU/s each; reads ${sends.toLocaleString('en')} RCU/s a shard (limit at ~3,000 sends/s)`,
    `     the ${STATS_SHARDS} overview shards move only with enrolments, never with logins or sends`,
    '   quota census: 4 counter shards per tenant, one check-in a second per container: at 200 containers 50 WCU/s a shard',
    `   hottest items at the goal: a throttle shard (${sends / THROTTLE_SHARDS} WCU/s, ${sends.toLocaleString('en')} RCU/s): under 1,000 WCU/s and 3,000 RCU/s`,
  ];
}

export function fairShareSection(r: FairShareResults | undefined): string {
  const { tenants, requestsPerSecond, burst, seconds, floodFactor, containers } = FAIR_SHARE;
  const out = [`Fair share: ${tenants} tenants, quota ${requestsPerSecond}/s burst ${burst}, ${containers} containers a function, ${seconds} s; one floods at ${floodFactor}×`];
  if (!r) out.push('   not measured');
  else {
    const row = (t: TenantOutcome) =>
      `   ${t.name.padEnd(10)} sent ${String(t.sent).padStart(5)}  served ${String(t.served).padStart(5)}  429 ${String(t.refused).padStart(5)}  other ${t.other}  success ${f(rate(t) * 100, 1)} %  p99 ${f(t.p99Ms, 1)} ms`;
    out.push(row(r.flooder), ...r.neighbours.map(row), `   flooder served ${r.flooder.served}: bound ${r.bound} = (${requestsPerSecond} × ${seconds} s + ${burst}) × 1.25 over the sending;`,
      `   answered over ${f(r.flooder.answeredOverSeconds, 1)} s: bound ${r.boundAnswered} over that time (the buckets refill while the machine catches up)`);
  }
  out.push('', 'Partitions at the goal', ...partitionArithmetic());
  return out.join('\n');
}

export function fairShareRows(r: FairShareResults | undefined) {
  if (!r) return [{ metric: 'fair share', value: 'not measured', target: '', result: 'INFO' as const }];
  const worst = Math.min(...r.neighbours.map(rate));
  const p99 = Math.max(...r.neighbours.map((t) => t.p99Ms));
  return [
    { metric: 'fair share: flooder served', value: `${r.flooder.served} of ${r.flooder.sent} in ${f(r.flooder.answeredOverSeconds, 1)} s`, target: `<= ${r.boundAnswered} (${r.bound} if answered in ${FAIR_SHARE.seconds} s)`, result: r.flooder.served <= r.boundAnswered ? ('PASS' as const) : ('FAIL' as const) },
    { metric: 'fair share: neighbours served (worst tenant)', value: `${f(worst * 100, 1)} %`, target: '100 %', result: worst === 1 ? ('PASS' as const) : ('FAIL' as const) },
    { metric: 'fair share: neighbours p99 (worst tenant)', value: `${f(p99, 1)} ms`, target: '', result: 'INFO' as const },
  ];
}
