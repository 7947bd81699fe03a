/**
 * `npm run bench:bundles`: only the bundles part of `npm run bench` — each function built as the
 * stack builds its asset, what its entry loads (the TOTP path) and its lazy chunks, and the cold
 * imports (BENCH_IMPORT_RUNS fresh processes each, 5 by default). A minute or two, no engine.
 */
import './env';
import { fileURLToPath } from 'node:url';
import { buildBundles, measureColdImports } from './bundles';
import { bundleSection, fitWidth } from './report';
import { TARGETS } from './summary';

const root = fileURLToPath(new URL('..', import.meta.url));
const runs = Number(process.env.BENCH_IMPORT_RUNS || 5);
if (!Number.isInteger(runs) || runs < 1 || runs > 25) throw new Error('BENCH_IMPORT_RUNS must be an integer in 1..25');
const bundles = await buildBundles(root, 6);
await measureColdImports(bundles, runs, root);
console.log(fitWidth(bundleSection(bundles, TARGETS.bundleKb, runs)));
if (bundles.some((b) => b.buildError || b.importError)) process.exitCode = 1;
