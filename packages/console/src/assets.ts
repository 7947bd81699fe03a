/**
 * The console's built page, script, style sheet and icon (dist/console.json, made by build.ts).
 * esbuild inlines the JSON into the console function's bundle; the local runtime reads it
 * through tsx. Either way the function serves these bytes and builds nothing at run time.
 */
import built from '../dist/console.json' with { type: 'json' };

export interface ConsoleAssets {
  /** A hash of the script, styles and icon: the page asks for them by `?v=<version>`. */
  version: string;
  page: string;
  script: string;
  styles: string;
  icon: string;
}

export const consoleAssets: ConsoleAssets = built;
