export { createDemoApp, type DemoAppOptions } from './app';
export { startDemo, type RunningDemo, type StartDemoOptions } from './server';
export { createTwofold, TwofoldError, type Twofold } from './twofold';
