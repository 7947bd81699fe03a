/**
 * The cloud assembly the twin runs by default: `cdk synth` of this repository's app (cdk.json),
 * with the settings that give it what `npm start` has (SMS through SNS, email through SES from
 * a domain identity), bundled with the local esbuild exactly as `cdk deploy` bundles it.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

/** The deployment settings (CDK context `twofold`) of the twin's own synth. */
export const TWIN_SETTINGS = { sms: {}, email: { fromAddress: 'Twofold <no-reply@twofold.local>', domain: 'twofold.local' } };

const repositoryRoot = fileURLToPath(new URL('../../../../', import.meta.url));

export async function synthesize(outdir: string, settings: unknown = TWIN_SETTINGS): Promise<string> {
  const child = spawn('npx', ['cdk', 'synth', '--quiet', '--output', outdir, '--context', `twofold=${JSON.stringify(settings)}`], {
    cwd: repositoryRoot,
    env: { ...process.env, CDK_VALIDATION: 'false' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let errors = '';
  child.stderr.on('data', (d: Buffer) => (errors += d.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`cdk synth failed (${code}):\n${errors.slice(-4000)}`);
  return outdir;
}
