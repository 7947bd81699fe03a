/**
 * `npm run demo`: the demo client app against the Twofold that `npm start` runs. It reads
 * $TWOFOLD_DATA_DIR/local.json for Twofold's address and app key, keeps its accounts in
 * demo-accounts.json beside it, and listens on $DEMO_PORT (default 3100).
 */
import { join } from 'node:path';
import { readDemoConfig } from './config';
import { startDemo } from './server';

async function main() {
  const config = readDemoConfig();
  const demo = await startDemo({ baseUrl: config.baseUrl, appKey: config.appKey, port: config.port, accountsFile: join(config.dataDir, 'demo-accounts.json') });
  console.log(`Acme Workspace (Twofold demo) is running at ${demo.url}`);
  console.log(`  Twofold:  ${config.baseUrl}`);
  console.log(`  accounts: ${join(config.dataDir, 'demo-accounts.json')}`);
  const stop = async () => {
    await demo.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((error: unknown) => {
  console.error('The demo could not start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
