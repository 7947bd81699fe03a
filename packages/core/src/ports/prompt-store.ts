import type { PromptRecord, PromptStatus } from '../records';

/**
 * Hosted prompts, by tenant and id. Every change is conditional on the status read, so that two
 * tabs or a replayed form cannot move a prompt twice; the exchange is one conditional write.
 */
export interface PromptStore {
  create(prompt: PromptRecord): Promise<void>;
  get(tenantId: string, promptId: string): Promise<PromptRecord | undefined>;
  /** Binds the prompt to the first browser that opens it; false when another one did first. */
  bind(tenantId: string, promptId: string, browserHash: string): Promise<boolean>;
  /** Sets fields (undefined removes one) while the prompt is in `expected` status; false otherwise. */
  update(tenantId: string, promptId: string, expected: PromptStatus, change: Partial<Omit<PromptRecord, 'promptId' | 'tenantId'>>): Promise<boolean>;
  /**
   * Spends the code: only while it is issued, its hash matches and it has not expired, in one
   * conditional write (of parallel exchanges exactly one succeeds); the prompt as it was, or undefined.
   */
  exchange(tenantId: string, promptId: string, input: { codeHash: string; nowMs: number }): Promise<PromptRecord | undefined>;
}
