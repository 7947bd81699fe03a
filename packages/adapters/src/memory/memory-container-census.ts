import type { ContainerCensus } from '@twofold/core/ports';
import type { MemoryTables } from './memory-tables';

/** Only the last two windows are ever read; older ones go (the Dynamo adapter's TTL keeps them a minute). */
const KEEP_SECONDS = 60;

export class MemoryContainerCensus implements ContainerCensus {
  constructor(private readonly tables: MemoryTables) {}

  async checkIn(tenantId: string, _containerId: string, second: number): Promise<{ previous: number; current: number }> {
    let windows = this.tables.census.get(tenantId);
    if (!windows) this.tables.census.set(tenantId, (windows = new Map()));
    for (const s of windows.keys()) if (s < second - KEEP_SECONDS) windows.delete(s);
    windows.set(second, (windows.get(second) ?? 0) + 1);
    return { previous: windows.get(second - 1) ?? 0, current: windows.get(second) ?? 0 };
  }
}
