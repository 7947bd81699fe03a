import type { PromptStore } from '@twofold/core/ports';
import type { PromptRecord, PromptStatus } from '@twofold/core/records';
import type { MemoryTables } from './memory-tables';

const promptKey = (tenantId: string, promptId: string) => `${tenantId}#${promptId}`;

/** Hosted prompts; every change checked against the status read, in the same step as it is made. */
export class MemoryPromptStore implements PromptStore {
  constructor(private readonly tables: MemoryTables) {}

  async create(prompt: PromptRecord): Promise<void> {
    const key = promptKey(prompt.tenantId, prompt.promptId);
    if (this.tables.prompts.has(key)) throw new Error(`prompt ${prompt.promptId} exists already`);
    this.tables.prompts.set(key, structuredClone(prompt));
  }

  async get(tenantId: string, promptId: string): Promise<PromptRecord | undefined> {
    const prompt = this.tables.prompts.get(promptKey(tenantId, promptId));
    return prompt && structuredClone(prompt);
  }

  async bind(tenantId: string, promptId: string, browserHash: string): Promise<boolean> {
    const prompt = this.tables.prompts.get(promptKey(tenantId, promptId));
    if (!prompt || prompt.browserHash !== undefined) return false;
    prompt.browserHash = browserHash;
    return true;
  }

  async update(tenantId: string, promptId: string, expected: PromptStatus, change: Partial<Omit<PromptRecord, 'promptId' | 'tenantId'>>): Promise<boolean> {
    const entries = Object.entries(structuredClone(change));
    // nothing to write is no write at all (the Dynamo adapter sends none)
    if (entries.length === 0) return true;
    const prompt = this.tables.prompts.get(promptKey(tenantId, promptId));
    if (!prompt || prompt.status !== expected) return false;
    for (const [field, value] of entries) {
      if (value === undefined) Reflect.deleteProperty(prompt, field);
      else Object.assign(prompt, { [field]: value });
    }
    return true;
  }

  async exchange(tenantId: string, promptId: string, input: { codeHash: string; nowMs: number }): Promise<PromptRecord | undefined> {
    const key = promptKey(tenantId, promptId);
    const prompt = this.tables.prompts.get(key);
    if (!prompt || prompt.status !== 'code_issued' || prompt.codeHash !== input.codeHash || prompt.codeExpiresAtMs === undefined || prompt.codeExpiresAtMs <= input.nowMs) return undefined;
    // the answer leaves the store with the one exchange that wins
    const { sealedResult: _r, codeHash: _h, ...rest } = prompt;
    this.tables.prompts.set(key, { ...rest, status: 'exchanged' });
    return structuredClone(prompt);
  }
}
