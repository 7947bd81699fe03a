/**
 * One contract for every PromptStore: a prompt binds to the first browser (of 20 parallel binds
 * one); each change holds only in the status read; the code is exchanged once (of 20 parallel
 * exchanges one gets the prompt, and its answer leaves the store), only with its hash and before it expires.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PromptRecord } from '@twofold/core/records';
import { storeImplementations, T0, unique, type Stores } from '../support/stores';

const prompt = (tenantId: string, promptId: string): PromptRecord => ({
  promptId,
  tenantId,
  userId: 'alice',
  purpose: 'login',
  redirectUri: 'https://app.example.com/back',
  state: 'st',
  codeChallenge: 'cc',
  createdAtMs: T0,
  expiresAtMs: T0 + 600_000,
  status: 'open',
  csrf: 'csrf',
});

describe.each(storeImplementations)('PromptStore contract: %s', (_, make) => {
  let s: Stores;
  beforeAll(async () => {
    s = await make();
  });
  afterAll(() => s.stop());

  it('creates a prompt once and binds it to the first of 20 browsers', async () => {
    const tenant = unique('tn_');
    await s.prompts.create(prompt(tenant, 'pr_1'));
    await expect(s.prompts.create(prompt(tenant, 'pr_1'))).rejects.toThrow();
    expect(await s.prompts.get(tenant, 'pr_1')).toEqual(prompt(tenant, 'pr_1'));
    expect(await s.prompts.get(unique('tn_'), 'pr_1')).toBeUndefined();
    const binds = await Promise.all(Array.from({ length: 20 }, (_, i) => s.prompts.bind(tenant, 'pr_1', `browser-${i}`)));
    expect(binds.filter(Boolean)).toHaveLength(1);
    expect((await s.prompts.get(tenant, 'pr_1'))?.browserHash).toBe(`browser-${binds.indexOf(true)}`);
    expect(await s.prompts.bind(tenant, 'pr_none', 'b')).toBe(false);
  });

  it('changes a prompt only in the status read (undefined removes a field); of 20 parallel moves from one status one holds', async () => {
    const tenant = unique('tn_');
    await s.prompts.create({ ...prompt(tenant, 'pr_1'), login: { challengeId: 'ch', method: 'totp', methods: ['totp'] } });
    const moves = await Promise.all(Array.from({ length: 20 }, () => s.prompts.update(tenant, 'pr_1', 'open', { status: 'verified', login: undefined, verifiedAtMs: T0 + 1 })));
    expect(moves.filter(Boolean)).toHaveLength(1);
    const moved = await s.prompts.get(tenant, 'pr_1');
    expect(moved).toMatchObject({ status: 'verified', verifiedAtMs: T0 + 1 });
    expect(moved?.login).toBeUndefined();
    expect(await s.prompts.update(tenant, 'pr_1', 'open', { status: 'refused' })).toBe(false);
    expect(await s.prompts.update(tenant, 'pr_none', 'open', { status: 'refused' })).toBe(false);
  });

  it('exchanges the code once of 20 parallel exchanges, only with its hash and before it expires; the answer leaves the store', async () => {
    const tenant = unique('tn_');
    const issued: PromptRecord = { ...prompt(tenant, 'pr_1'), status: 'code_issued', codeHash: 'h', codeExpiresAtMs: T0 + 60_000, sealedResult: 'sealed' };
    await s.prompts.create(issued);
    await s.prompts.create({ ...issued, promptId: 'pr_2' });
    expect(await s.prompts.exchange(tenant, 'pr_1', { codeHash: 'wrong', nowMs: T0 })).toBeUndefined();
    expect(await s.prompts.exchange(tenant, 'pr_2', { codeHash: 'h', nowMs: T0 + 60_000 })).toBeUndefined();
    const raced = await Promise.all(Array.from({ length: 20 }, () => s.prompts.exchange(tenant, 'pr_1', { codeHash: 'h', nowMs: T0 })));
    expect(raced.filter((r) => r !== undefined)).toEqual([issued]);
    const after = await s.prompts.get(tenant, 'pr_1');
    expect(after?.status).toBe('exchanged');
    expect(after?.sealedResult).toBeUndefined();
    expect(after?.codeHash).toBeUndefined();
  });
});
