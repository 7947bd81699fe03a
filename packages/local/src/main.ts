/**
 * `npm start`: the whole service on this machine. Data lives under $TWOFOLD_DATA_DIR (default
 * .twofold/) and survives restarts; a default tenant's keys are printed and written to
 * local.json. Ctrl-C stops it cleanly.
 */
import { startLocalRuntime } from './runtime';
import { serve } from './serve';

serve('Twofold', (settings) => startLocalRuntime({ ...settings, logRequest: (line) => console.log(line) })).catch((error: unknown) => {
  console.error('Twofold could not start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
