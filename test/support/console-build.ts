/** vitest globalSetup: builds the console's browser code (packages/console/dist) before any test imports the local runtime. */
import { writeConsoleAssets } from '@twofold/console/build';

let built = false;

export default function setup() {
  // once a run, not once for each project (vitest runs a globalSetup per project)
  if (built) return;
  built = true;
  writeConsoleAssets();
}
