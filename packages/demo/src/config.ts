/**
 * The demo's settings, read once at start: where Twofold runs and its app key come from the
 * local.json that `npm start` writes into $TWOFOLD_DATA_DIR (default .twofold/).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as z from 'zod/mini';

const DemoEnv = z.object({
  DEMO_PORT: z._default(z.coerce.number().check(z.int(), z.minimum(0), z.maximum(65535)), 3100),
  TWOFOLD_DATA_DIR: z._default(z.string().check(z.minLength(1)), '.twofold'),
  /** `prompt`: Twofold's hosted prompt instead of the demo's own two-factor screens */
  DEMO_MODE: z._default(z.enum(['screens', 'prompt']), 'screens'),
});

const LocalJson = z.object({ baseUrl: z.url(), appKey: z.string().check(z.minLength(1)), adminKey: z.optional(z.string()) });

export interface DemoConfig {
  port: number;
  dataDir: string;
  baseUrl: string;
  appKey: string;
  /** npm start's admin key: in prompt mode the demo registers its redirect URI with it (local use only) */
  adminKey?: string;
  mode: 'screens' | 'prompt';
}

export function readDemoConfig(env: NodeJS.ProcessEnv = process.env): DemoConfig {
  const parsed = DemoEnv.parse(env);
  const dataDir = resolve(parsed.TWOFOLD_DATA_DIR);
  const localJsonPath = join(dataDir, 'local.json');
  let text: string;
  try {
    text = readFileSync(localJsonPath, 'utf8');
  } catch {
    throw new Error(`${localJsonPath} not found: start Twofold first (npm start), with the same TWOFOLD_DATA_DIR`);
  }
  const local = LocalJson.safeParse(JSON.parse(text));
  if (!local.success) throw new Error(`${localJsonPath} has no baseUrl and appKey: start Twofold again (npm start) to rewrite it`);
  return { port: parsed.DEMO_PORT, dataDir, baseUrl: local.data.baseUrl, appKey: local.data.appKey, mode: parsed.DEMO_MODE, ...(local.data.adminKey ? { adminKey: local.data.adminKey } : {}) };
}
