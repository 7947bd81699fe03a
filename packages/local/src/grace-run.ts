/**
 * `npm run grace:run`: asks the running local service (`npm start`) to run the scheduled
 * grace-period job now, and prints what it did. The service owns the local database, so the
 * job runs inside it, exactly as its every-minute timer runs it.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const dataDir = resolve(process.env.TWOFOLD_DATA_DIR ?? '.twofold');

async function main() {
  let baseUrl: string;
  try {
    ({ baseUrl } = JSON.parse(readFileSync(join(dataDir, 'local.json'), 'utf8')) as { baseUrl: string });
  } catch {
    throw new Error(`no ${join(dataDir, 'local.json')}: start the service first with npm start`);
  }
  const response = await fetch(`${baseUrl}/_local/grace-expiry`, { method: 'POST' }).catch(() => {
    throw new Error(`the service at ${baseUrl} does not answer: start it with npm start`);
  });
  if (!response.ok) throw new Error(`the grace-period run failed: HTTP ${response.status}`);
  console.log(JSON.stringify(await response.json(), null, 2));
}

main().catch((error: unknown) => {
  console.error('grace:run:', error instanceof Error ? error.message : error);
  process.exit(1);
});
