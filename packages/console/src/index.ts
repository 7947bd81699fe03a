/** The admin console: its Lambda handler, its headers, and the build of its browser code. */
export { consoleFunction } from './console-function';
export { contentSecurityPolicy } from './headers';
export type { ConsoleAssets } from './assets';
