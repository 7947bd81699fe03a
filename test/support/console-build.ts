/** vitest globalSetup: builds the console's browser code (packages/console/dist) before any test imports the local runtime. */
import { writeConsoleAssets } from '@twofold/console/build';

export default function setup() {
  writeConsoleAssets();
}
