/** The summary: every headline figure beside its target, PASS/FAIL where the issues set one, else INFO. */
import type { BundleResult } from './bundles';
import type { Tally } from './call-log';
import type { DeviceResults } from './devices';
import type { HttpCheckResult } from './http-check';
import type { InvocationResult } from './invocations';
import type { PolicyAdminResults } from './policy-admin';
import { counts, f, type SummaryRow, type Verdict } from './report';
import type { Leg } from './rounds';
import type { SendResults } from './sends';
import type { VerificationResults } from './verifications';

export const TARGETS = { httpRatio: 0.6, coldImportRatio: 1.2, ratio: 0.8, warmReads: 1, warmWrites: 1, warmRcu: 1, warmWcu: 1, costRatio: 1.1, bundleKb: 150, benchSeconds: 360 };

/**
 * Why what a function's entry loads (its TOTP path, without the SDK) is over the budget
 * (docs/bench.md says more). Passkeys (@simplewebauthn/server) and the full phone metadata are
 * lazy chunks of their own (infra/bundling.ts), not counted here.
 */
const BUNDLE_REASONS: Record<string, string> = {
  enrollment: 'zod schemas, the adapters, Powertools logger and metrics, jose (fresh verifications)',
  verify: 'zod schemas, the adapters, Powertools logger and metrics',
  challenge: 'Powertools idempotency, zod schemas, the adapters',
  prompt: "its pages (packages/prompt) and the core's prompt steps, zod schemas, the adapters",
  devices: 'zod schemas, the adapters, Powertools logger and metrics',
  admin: 'tldts (the public suffix list), every admin route schema',
  'grace-expiry': 'zod schemas (the policy it reads), the adapters, Powertools logger and metrics',
};

type Count = 'reads' | 'writes' | 'scans' | 'kms' | 'rcu' | 'wcu';

/** The range of a count over a leg's distinct call patterns: "2", or "1-3" when they differ. */
function range(leg: Leg, key: Count): { text: string; max: number } {
  const values = leg.distinct.map((d) => d[key]);
  const [min, max] = [Math.min(...values), Math.max(...values)];
  return { text: min === max ? String(max) : `${min}-${max}`, max };
}

const verdict = (ok: boolean): Verdict => (ok ? 'PASS' : 'FAIL');

function countRows(label: string, leg: Leg, limits: Partial<Record<Count, number>>): SummaryRow[] {
  return (['reads', 'writes', 'scans', 'kms', 'rcu', 'wcu'] as const).map((key) => {
    const r = range(leg, key);
    const limit = limits[key];
    const name = key === 'kms' ? 'KMS calls' : key === 'rcu' || key === 'wcu' ? `${key.toUpperCase()} (ConsumedCapacity)` : `DynamoDB ${key}`;
    return { metric: `${label}: ${name}`, value: r.text, target: limit === undefined ? '' : limit === 0 ? '0' : `<= ${limit}`, result: limit === undefined ? 'INFO' : verdict(r.max <= limit) };
  });
}

const info = (metric: string, value: string): SummaryRow => ({ metric, value, target: '', result: 'INFO' });
const calls = (t: Tally) => counts(t).replace(/, 0 scans/, '');

export function summaryRows(r: {
  verification: VerificationResults;
  sends: SendResults;
  devices: DeviceResults;
  policyAdmin: PolicyAdminResults;
  bundles: BundleResult[];
  invocations: InvocationResult;
  httpCheck: HttpCheckResult | undefined;
  seconds: number;
}): SummaryRow[] {
  const { verification: v, sends: s, devices: d, policyAdmin: p } = r;
  const rows: SummaryRow[] = [];
  let warmP50 = NaN;
  for (const c of v.byConcurrency) {
    if (c.concurrency === 1) warmP50 = c.handler.p50Ms;
    rows.push(info(`verifications/s, concurrency ${c.concurrency}`, `${f(c.handler.opsPerSecond, 0)} handler, ${f(c.floor.opsPerSecond, 0)} floor (p50 ${f(c.handler.p50Ms, 2)} / ${f(c.floor.p50Ms, 2)} ms)`));
    rows.push({ metric: `handler/floor, concurrency ${c.concurrency}`, value: f(c.ratio, 2), target: `>= ${TARGETS.ratio}`, result: verdict(c.ratio >= TARGETS.ratio) });
    rows.push(info(`handler/floor with Twofold's client (${f(c.tunedFloor.opsPerSecond, 0)}/s), concurrency ${c.concurrency}`, f(c.tunedRatio, 2)));
  }
  const sequential = v.byConcurrency.find((c) => c.concurrency === 1)!.handler;
  rows.push(...countRows('warm TOTP verification (assertion signed)', sequential, { reads: TARGETS.warmReads, writes: TARGETS.warmWrites, scans: 0, kms: 0, rcu: TARGETS.warmRcu, wcu: TARGETS.warmWcu }));
  {
    // the issue's prices per million: $1.00 API request, $0.20 Lambda request, ~$0.02 compute (10 ms at 128 MB arm64), $0.125 per RCU, $0.625 per WCU
    const rcu = range(sequential, 'rcu').max;
    const wcu = range(sequential, 'wcu').max;
    const cost = 1.0 + 0.2 + 0.02 + 0.125 * rcu + 0.625 * wcu;
    rows.push({ metric: 'modelled cost per million warm verifications (1 invocation)', value: `$${f(cost, 2)} (${f(cost / 1.97, 2)} × $1.97)`, target: `<= ${TARGETS.costRatio} × floor`, result: verdict(cost / 1.97 <= TARGETS.costRatio) });
  }
  rows.push({ metric: 'Lambda invocations per request (every route)', value: r.invocations.min === r.invocations.max ? String(r.invocations.max) : `${r.invocations.min}-${r.invocations.max}`, target: '1', result: verdict(r.invocations.max === 1) });
  if (r.httpCheck) {
    const h = r.httpCheck;
    rows.push({ metric: 'npm start over HTTP, c16 / dynalite floor', value: `${f(h.httpOpsPerSecond, 0)} / ${f(h.floorOpsPerSecond, 0)} = ${f(h.ratio, 2)}`, target: `>= ${TARGETS.httpRatio}`, result: verdict(h.ratio >= TARGETS.httpRatio && h.httpErrors === 0) });
  } else rows.push(info('npm start over HTTP, c16 / dynalite floor', 'not measured: BENCH_HTTP_USERS=0'));
  rows.push(info('recovery-code verification', v.recovery.distinct.map(calls).join(' | ')));
  rows.push(info('cold verification (a fresh container)', calls(v.cold.verify)));

  for (const { channel, leg } of s.legs) rows.push(info(`${channel} sends/s, concurrency ${leg.concurrency}`, `${f(leg.opsPerSecond, 0)} (p50 ${f(leg.p50Ms, 2)} ms)`));
  for (const { channel, leg } of s.legs.filter((l) => l.leg.concurrency === 1)) {
    rows.push(...countRows(`${channel} send`, leg, { scans: 0, kms: 0 }));
  }
  rows.push(info('Idempotency-Key send / its replay', `${calls(s.idempotent.first)} / ${calls(s.idempotent.replay)}`));

  rows.push(...countRows('challenge with a device token', d.deviceToken, { scans: 0, kms: 0 }));
  rows.push(info('challenge from a known IP / an unknown device', `${d.knownIp.distinct.map(calls).join(' | ')} / ${d.unknownDevice.distinct.map(calls).join(' | ')}`));
  rows.push(...countRows('verification with rememberDevice', d.rememberDevice, { kms: 0 }).filter((row) => row.metric.endsWith('KMS calls')));
  rows.push(info('assertion signing (AssertionSigner.sign, warm)', `median ${f(d.signing.medianUs, 0)} µs, p95 ${f(d.signing.p95Us, 0)} µs (${f((d.signing.medianUs / 1000 / warmP50) * 100, 1)}% of a warm verification's p50); ${d.signing.kms} KMS`));

  if (p.status === 'measured') {
    for (const run of p.graceRuns.slice(1)) rows.push(info(`grace-expiry: ${run.label}`, `${f(run.seconds, 2)} s; ${calls(run.calls)}`));
    rows.push(info(`admin overview, ${p.users} users`, `p50 ${f(p.overview.p50Ms, 2)} ms; ${p.overview.distinct.map(calls).join(' | ')}`));
  } else {
    rows.push(info('grace expiry, admin overview', `not measured: ${p.reason}`));
  }

  for (const b of r.bundles) {
    // the SDK is bundled because it starts faster (measured beside): judged on the function's own
    // code, and on what its entry loads (the TOTP path); the lazy chunks are said apart
    const own = b.runtimeSdk?.kb ?? NaN;
    const why = BUNDLE_REASONS[b.name];
    const lazy = b.runtimeSdk?.lazyKb ? `, lazy ${f(b.runtimeSdk.lazyKb, 1)} KB` : '';
    rows.push({
      metric: `bundle ${b.name}, TOTP path`,
      value: b.buildError ? 'build failed' : `${f(b.kb, 1)} KB with the AWS SDK, ${f(own, 1)} KB without${lazy}${own > TARGETS.bundleKb && why ? `: ${why}` : ''}`,
      target: `<= ${TARGETS.bundleKb} KB without the SDK, or the reason`,
      // the issue's target is the size or, over it, the size with its reason: OVER says which
      result: b.buildError ? 'FAIL' : own <= TARGETS.bundleKb ? 'PASS' : why ? 'OVER' : 'FAIL',
    });
  }
  for (const b of r.bundles.filter((x) => !x.buildError)) {
    const ms = b.importMs ?? NaN;
    const sdk = b.sdkImportMs ?? NaN;
    if (b.importError) rows.push({ metric: `cold import ${b.name}, TOTP path`, value: `throws: ${b.importError.slice(0, 60)}`, target: '', result: 'FAIL' });
    // a function with no AWS SDK client (console, docs) has nothing to compare with
    else if (!b.sdkImports.length) rows.push(info(`cold import ${b.name}, TOTP path`, `${f(ms, 0)} ms (no AWS SDK client)`));
    else rows.push({ metric: `cold import ${b.name}, TOTP path`, value: `${f(ms, 0)} ms (${f(b.runtimeSdk?.importMs ?? NaN, 0)} with the runtime's SDK), SDK alone ${f(sdk, 0)} ms: ${f(ms / sdk, 2)} ×`, target: `<= ${TARGETS.coldImportRatio} ×`, result: verdict(ms / sdk <= TARGETS.coldImportRatio) });
  }

  const legs = [...v.byConcurrency.flatMap((c) => [c.handler, c.floor, c.tunedFloor]), v.recovery, ...s.legs.map((l) => l.leg), s.verification, d.deviceToken, d.knownIp, d.unknownDevice, d.rememberDevice];
  if (p.status === 'measured') legs.push(p.overview);
  const failed = legs.reduce((n, leg) => n + leg.errors, 0);
  rows.push({ metric: 'failed operations', value: String(failed), target: '0', result: verdict(failed === 0) });
  rows.push({ metric: 'whole bench', value: `${f(r.seconds, 1)} s`, target: `< ${TARGETS.benchSeconds} s`, result: verdict(r.seconds < TARGETS.benchSeconds) });
  return rows;
}
