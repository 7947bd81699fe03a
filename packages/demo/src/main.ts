/**
 * `npm run demo`: the demo client app against the Twofold that `npm start` runs. It reads
 * $TWOFOLD_DATA_DIR/local.json for Twofold's address and app key, keeps its accounts in
 * demo-accounts.json beside it, and listens on $DEMO_PORT (default 3100).
 */
import { join } from 'node:path';
import { createTwofoldClient } from '../../client/src/index';
import { readDemoConfig } from './config';
import { startDemo } from './server';

async function main() {
  const config = readDemoConfig();
  const demo = await startDemo({ baseUrl: config.baseUrl, appKey: config.appKey, port: config.port, accountsFile: join(config.dataDir, 'demo-accounts.json'), mode: config.mode });
  if (config.mode === 'prompt' && config.adminKey) {
    // the prompt redirects only to registered URIs: the local tenant's policy is told the demo's (as its admin would, once)
    const admin = createTwofoldClient({ baseUrl: config.baseUrl, apiKey: config.adminKey });
    const callback = `${demo.url}/2fa/callback`;
    const { hostedPrompt } = await admin.getPolicy();
    if (!hostedPrompt.redirectUris.includes(callback)) await admin.patchPolicy({ hostedPrompt: { redirectUris: [...hostedPrompt.redirectUris, callback] } });
  }
  console.log(`Acme Workspace (Twofold demo${config.mode === 'prompt' ? ', hosted prompt mode' : ''}) is running at ${demo.url}`);
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
