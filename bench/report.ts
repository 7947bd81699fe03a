/** The printed report: one section per issue, then a summary with targets and PASS/FAIL/OVER (a size over its target, with the reason)/INFO. */
import type { BundleResult } from './bundles';
import { grouped, type Tally } from './call-log';
import type { DeviceResults } from './devices';
import { REAL_USERS, type PolicyAdminResults } from './policy-admin';
import type { HttpCheckResult } from './http-check';
import type { InvocationResult } from './invocations';
import type { Leg } from './rounds';
import type { SendResults } from './sends';
import type { VerificationResults } from './verifications';

export type Verdict = 'PASS' | 'FAIL' | 'OVER' | 'INFO';

export interface SummaryRow {
  metric: string;
  value: string;
  target: string;
  result: Verdict;
}

export function table(header: string[], rows: string[][], align: ('l' | 'r')[] = []): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (align[i] === 'r' ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].map((l) => `  ${l}`).join('\n');
}

/** The report's width: every line fits a 120-column terminal. */
export const REPORT_COLUMNS = 120;

/**
 * Wraps each line longer than `columns` at spaces, continuing under its own indentation plus two
 * (a word longer than a line stays whole). Tables are built narrow enough not to need it.
 */
export function fitWidth(text: string, columns = REPORT_COLUMNS): string {
  return text
    .split('\n')
    .flatMap((line) => {
      if (line.length <= columns) return [line];
      const indent = /^ */.exec(line)?.[0] ?? '';
      const out: string[] = [];
      let current = '';
      for (const word of line.trim().split(/ +/)) {
        const lead = out.length === 0 ? indent : `${indent}  `;
        if (current && lead.length + current.length + 1 + word.length > columns) {
          out.push(lead + current);
          current = word;
        } else current = current ? `${current} ${word}` : word;
      }
      if (current) out.push((out.length === 0 ? indent : `${indent}  `) + current);
      return out;
    })
    .join('\n');
}

export const f = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

/** Timed legs side by side: throughput (median of rounds), latency, time in DynamoDB, failures. */
export function legTable(rows: { label: string; leg: Leg }[]): string {
  return table(
    ['', 'concurrency', 'ops/s', 'rounds ops/s', 'p50 ms', 'p95 ms', 'p99 ms', 'in DynamoDB ms', 'errors'],
    rows.map(({ label, leg }) => [
      label,
      String(leg.concurrency),
      f(leg.opsPerSecond, 0),
      leg.roundsOpsPerSecond.map((r) => f(r, 0)).join(' '),
      f(leg.p50Ms, 2),
      f(leg.p95Ms, 2),
      f(leg.p99Ms, 2),
      f(leg.dynamoMeanMs, 2),
      String(leg.errors),
    ]),
    ['l', 'r', 'r', 'l', 'r', 'r', 'r', 'r', 'r'],
  );
}

export const counts = (t: Pick<Tally, 'reads' | 'writes' | 'scans' | 'other' | 'kms' | 'publishes' | 'sends'>, digits = 0) =>
  `${f(t.reads, digits)} reads, ${f(t.writes, digits)} writes, ${f(t.scans, digits)} scans${t.other ? `, ${f(t.other, digits)} other` : ''}, ${f(t.kms, digits)} KMS` +
  `${t.publishes ? `, ${f(t.publishes, digits)} EventBridge` : ''}${t.sends ? `, ${f(t.sends, digits)} SNS/SES` : ''}`;

/** Each distinct pattern of calls among counted ops, with its sequence. */
function distinctLines(label: string, leg: Leg): string[] {
  const out = [`   ${label} (${leg.count} counted one by one, p50 ${f(leg.p50Ms, 2)} ms${leg.errors ? `, ${leg.errors} FAILED: ${leg.firstError}` : ''}):`];
  for (const d of leg.distinct) {
    out.push(`     ${d.count === leg.count ? 'every one' : `${d.count} of them`}: ${counts(d)}`, `       ${sequenceText(d.sequence)}`);
  }
  return out;
}

/** The calls in order, or for many calls how many of each. */
const sequenceText = (sequence: string[]) => (sequence.length > 12 ? grouped(sequence).join(', ') : sequence.join(' -> ') || '(no calls)');
const tallyLine = (label: string, t: Tally) => [`   ${label}: ${counts(t)}`, `       ${sequenceText(t.sequence)}`];

export function verificationSection(v: VerificationResults): string {
  const out = [
    'Verifications: the handler path against the bare DynamoDB floor',
    `   handler: API Gateway v2 event -> verify function (API key checked in it; middy, zod, core, DynamoDB adapters,`,
    `   real AWS SDK client over HTTP to the bench's engine, named above, in its own process). floor: the handler's consistent`,
    `   Query of the user's partition (one read, 1 RCU) + one plain conditional UpdateItem of the login item, on a copy of`,
    `   the user's items, with the AWS SDK's DocumentClient as it comes (the target's reference, as the outside check's`,
    `   floor) and, for information, sent as Twofold's functions send the login's two calls (a plain client less two middlewares, cacheMiddleware).`,
    `   ${v.users} users, ${v.rounds} rounds of ${v.users} at each concurrency, after a warm-up;`,
    `   the clock moves one TOTP step per round; ops/s = median of the rounds' ops/s.`,
    '',
    legTable(v.byConcurrency.flatMap((c) => [
      { label: 'handler', leg: c.handler },
      { label: 'floor', leg: c.floor },
      { label: 'floor, Twofold client', leg: c.tunedFloor },
    ])),
    `   handler/floor (median ops/s): ${v.byConcurrency.map((c) => `concurrency ${c.concurrency}: ${f(c.ratio, 2)}`).join(', ')}`,
    `   handler/floor with Twofold's client: ${v.byConcurrency.map((c) => `concurrency ${c.concurrency}: ${f(c.tunedRatio, 2)}`).join(', ')}`,
    `   floor calls: ${v.floorSequence.join(' -> ')}${v.floorMatchesHandler ? ' (the same calls as the handler\'s)' : ' (not the handler\'s calls)'}`,
  ];
  for (const c of v.byConcurrency) {
    out.push(`   all calls / verification at concurrency ${c.concurrency}: ${counts(c.handler.perOp, 3)}`);
    for (const leg of [c.handler, c.floor]) if (leg.firstError) out.push(`   first error at concurrency ${c.concurrency}: ${leg.firstError}`);
  }
  out.push('', 'Calls per verification, counted (DynamoDB client middleware; counting KMS, EventBridge ports)');
  const sequential = v.byConcurrency.find((c) => c.concurrency === 1);
  if (sequential) out.push(...distinctLines('warm TOTP verification, assertion signed', sequential.handler));
  out.push(...distinctLines('recovery-code verification', v.recovery));
  out.push(
    ...tallyLine(`cold verification, the first in a fresh verify container (${f(v.cold.latencyMs, 1)} ms, modules loaded)`, v.cold.verify),
    ...tallyLine('cache refresh, once per TTL per container (tenant 30 s, API key 60 s)', v.cacheRefresh),
  );
  return out.join('\n');
}

export function sendSection(s: SendResults): string {
  return [
    'Codes sent through the challenge path',
    `   challenge function, createChallenge {method: sms|email} for ${s.usersPerChannel} users per channel, each with`,
    '   their own destination; counting in-memory SNS/SES stand-ins; each round an hour later (velocity counters are per hour).',
    '',
    legTable(s.legs.map(({ channel, leg }) => ({ label: channel, leg }))),
    '',
    ...s.legs.filter(({ leg }) => leg.concurrency === 1).flatMap(({ channel, leg }) => distinctLines(`${channel} send`, leg)),
    ...tallyLine('cold send (first in a fresh container)', s.cold),
    ...tallyLine('send with an Idempotency-Key', s.idempotent.first),
    ...tallyLine('the same request again (a retry: replayed, nothing sent)', s.idempotent.replay),
    ...distinctLines('verifying a sent SMS code', s.verification),
  ].join('\n');
}

export function deviceSection(d: DeviceResults): string {
  const s = d.signing;
  return [
    'Trusted devices and assertions (policy prompt: unrecognized_devices)',
    ...distinctLines('challenge with a device token (recognised, token rotated)', d.deviceToken),
    ...distinctLines('challenge from the IP of a verified sign-in (recognised)', d.knownIp),
    ...distinctLines('challenge from an unknown device (challenge made)', d.unknownDevice),
    ...distinctLines('verification with rememberDevice (token issued, IP remembered)', d.rememberDevice),
    `   AssertionSigner.sign (ES256 JWT), ${s.signatures} warm signatures: median ${f(s.medianUs, 0)} µs, p95 ${f(s.p95Us, 0)} µs, ${s.kms} KMS calls`,
    ...tallyLine(`first signature in a fresh container (${f(s.coldMs, 1)} ms: signing key read, unsealed, imported)`, s.cold),
  ].join('\n');
}

export function policyAdminSection(p: PolicyAdminResults): string {
  const out = ['Policy and admin at scale'];
  if (p.status === 'skipped') return [...out, `   not measured: ${p.reason}`, `   the hook (bench/policy-admin.ts) expects: ${p.expects}`].join('\n');
  out.push(
    `   ${p.users} users in one tenant requiring two-factor of everyone, none enrolled: all in a 7-day grace period; ${p.due} joined`,
    `   5 days before the others, so only they are due at each run (seeded in ${f(p.seedSeconds, 1)} s: ${REAL_USERS} of each group through`,
    '   PUT /v1/users/{id}, the rest copies of their items). The scheduled function runs as its schedule would call it.',
  );
  for (const run of p.graceRuns) out.push(...tallyLine(`grace-expiry run, ${run.label}: ${f(run.seconds, 2)} s, ${JSON.stringify(run.result)}`, run.calls));
  out.push(...distinctLines('admin overview (GET /v1/admin/overview)', p.overview));
  return out.join('\n');
}

export function bundleSection(bundles: BundleResult[], limitKb: number, runs: number): string {
  const out: string[] = [
    'Bundles (esbuild with infra/bundling.ts: minified ESM for node22, the AWS SDK bundled, code split) and cold import',
    '   TOTP path = what importing the entry loads (index.mjs and its static chunks): all a TOTP login or enrolment runs',
    '   but the QR code; lazy = chunks only a dynamic import loads (passkeys, phone metadata, the QR code). Judged',
    `   against ${limitKb} KB without the SDK (the function's own code). import = median of ${runs} fresh \`node\` processes timing`,
    `   \`await import(entry)\` (${process.version}); all chunks = the entry and every lazy chunk; runtime SDK = the same`,
    "   function built with @aws-sdk/* left to Lambda's runtime copy (not deployed: compared); SDK alone = importing",
    '   just the SDK clients it uses from node_modules',
    '',
    table(
      ['function', 'TOTP path KB', 'files', 'without SDK', `<= ${limitKb} KB`, 'lazy KB', 'lazy without SDK'],
      bundles.map((b) => [
        b.name,
        f(b.kb, 1),
        String(b.loadedFiles),
        f(b.runtimeSdk?.kb ?? NaN, 1),
        b.buildError ? 'BUILD FAILED' : (b.runtimeSdk?.kb ?? NaN) <= limitKb ? 'yes' : 'NO',
        f(b.lazy.reduce((n, c) => n + c.kb, 0), 1),
        f(b.runtimeSdk?.lazyKb ?? NaN, 1),
      ]),
      ['l', 'r', 'r', 'r', 'l', 'r', 'r'],
    ),
    '',
    table(
      ['function', 'import ms', 'all chunks ms', 'runtime SDK ms', 'SDK alone ms', 'import / SDK alone'],
      bundles.map((b) => [
        b.name,
        b.importError ? 'THROWS' : f(b.importMs ?? NaN, 1),
        b.lazy.length ? f(b.allChunksImportMs ?? NaN, 1) : '-',
        f(b.runtimeSdk?.importMs ?? NaN, 1),
        f(b.sdkImportMs ?? NaN, 1),
        b.sdkImports.length ? f((b.importMs ?? NaN) / (b.sdkImportMs ?? NaN), 2) : '-',
      ]),
      ['l', 'r', 'r', 'r', 'r', 'r'],
    ),
    '',
    table(
      ['function', 'import runs ms', '@aws-sdk/* used'],
      bundles.map((b) => [b.name, b.importRunsMs?.map((t) => t.toFixed(0)).join(' ') ?? '', b.sdkImports.map((m) => m.replace('@aws-sdk/', '')).join(' ')]),
    ),
  ];
  for (const b of bundles) {
    if (b.buildError) out.push(`   ${b.name}: build failed: ${b.buildError}`);
    if (b.importError) out.push(`   ${b.name}: import throws: ${b.importError}`);
  }
  out.push('', '   top contributors to the TOTP path (minified KB, from the esbuild metafile), then the lazy chunks of 10 KB or more');
  const list = (items: { path: string; kb: number }[]) => items.map((i) => `${i.path} ${f(i.kb, 1)}`).join(', ');
  for (const b of bundles.filter((x) => !x.buildError)) {
    out.push(`   ${b.name} (${f(b.kb, 1)} KB) by package: ${list(b.largestPackages)}`);
    if ((b.runtimeSdk?.kb ?? NaN) > limitKb) out.push(`     largest files: ${list(b.largestInputs)}`);
    // the biggest lazy chunks by name; the SDK's own (credential providers other than Lambda's) summed
    const big = b.lazy.filter((c) => c.kb >= 10).slice(0, 5);
    const rest = b.lazy.filter((c) => !big.includes(c));
    const more = rest.length ? `; ${rest.length} more ${f(rest.reduce((n, c) => n + c.kb, 0), 1)} KB` : '';
    if (b.lazy.length) out.push(`     lazy: ${big.map((c) => `${c.file} ${f(c.kb, 1)} (${c.packages.map((p) => p.path).join(', ')})`).join('; ')}${more}`);
  }
  return out.join('\n');
}

export function httpCheckSection(h: HttpCheckResult | undefined, inv: InvocationResult): string {
  const out = [
    'Lambda invocations per request (the synthesized stack: each HTTP API route and its integration)',
    `   ${inv.routes} routes, ${inv.authorizers} Lambda authorizers: ${inv.min === inv.max ? inv.min : `${inv.min}-${inv.max}`} invocation(s) per request`,
    '',
    'npm start over HTTP at concurrency 16 (its dynalite engine in a process of its own), beside the dynalite floor',
  ];
  if (!h) return [...out, '   not measured: BENCH_HTTP_USERS=0'].join('\n');
  out.push(
    `   ${h.users} TOTP users enrolled over HTTP; a quarter verify first (warm-up), then ${h.timed} verifications timed at concurrency ${h.concurrency} (${h.httpErrors} not 200)`,
    `   floor: one strongly consistent GetItem + one conditional UpdateItem with the AWS SDK on dynalite in memory in the bench's process, ${h.timed} per round, rounds ${h.floorRounds.map((r) => r.toFixed(0)).join(' ')}`,
    `   npm start ${f(h.httpOpsPerSecond, 0)} verifications/s, floor ${f(h.floorOpsPerSecond, 0)} ops/s: ratio ${f(h.ratio, 2)}`,
  );
  return out.join('\n');
}

/** The summary: a row per figure, its verdict first, then the value beside its target (two lines where one would not fit). */
export function summaryTable(rows: SummaryRow[]): string {
  return fitWidth(rows
    .map((r) => {
      const head = `  ${r.result.padEnd(4)}  ${r.metric}`;
      const tail = `${r.value}${r.target ? `  (target ${r.target})` : ''}`;
      return head.length + 2 + tail.length <= REPORT_COLUMNS ? `${head}: ${tail}` : `${head}\n        ${tail}`;
    })
    .join('\n'));
}
