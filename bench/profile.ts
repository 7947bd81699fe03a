/**
 * BENCH_CPU_PROFILE=<file>: a V8 CPU profile of the last timed handler round at concurrency 1
 * (setup, the floor and the other rounds left out), to open in Chrome DevTools or speedscope.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

export class HandlerProfiler {
  private session?: Session;

  constructor(readonly file: string | undefined) {}

  async start(): Promise<void> {
    if (!this.file || this.session) return;
    this.session = new Session();
    this.session.connect();
    await this.session.post('Profiler.enable');
    await this.session.post('Profiler.setSamplingInterval', { interval: 100 });
    await this.session.post('Profiler.start');
  }

  async stop(): Promise<string | undefined> {
    if (!this.file || !this.session) return undefined;
    const { profile } = await this.session.post('Profiler.stop');
    this.session.disconnect();
    writeFileSync(this.file, JSON.stringify(profile));
    return this.file;
  }
}
