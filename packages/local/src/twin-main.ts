/**
 * `npm run twin`: the synthesized template run on this machine with IAM evaluated on every AWS
 * call (./twin/twin.ts). Synthesizes the app into $TWOFOLD_DATA_DIR/cdk.out, or runs the cloud
 * assembly at $TWOFOLD_TWIN_CDK_OUT. Same PORT, data directory, local.json, banner and
 * `/_local/*` routes as `npm start`.
 */
import { join, resolve } from 'node:path';
import { serve } from './serve';
import { synthesize } from './twin/synth';
import { startTwin, type Twin } from './twin/twin';

const given = process.env.TWOFOLD_TWIN_CDK_OUT;

serve(
  'Twofold (deployment twin)',
  async (settings) => {
    const started = Date.now();
    const assembly = given ? resolve(given) : await synthesize(join(settings.dataDir, 'cdk.out'));
    const twin = await startTwin({ ...settings, assembly, logRequest: (line) => console.log(line) });
    console.log(`Deployment twin of ${assembly} ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return twin;
  },
  (twin: Twin, settings) => {
    return [
      `template:  ${twin.deployment.functions.length} functions, ${twin.deployment.routes.length} routes, ${twin.deployment.schedules.map((s) => `${s.name} ${s.expression}`).join(', ')}`,
      `IAM:       every AWS call evaluated against its function's role (denials print AccessDenied); function logs in ${join(settings.dataDir, 'logs')}`,
    ];
  },
).catch((error: unknown) => {
  console.error('The deployment twin could not start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
