/** A deployment without an SMS sender: a policy that allows SMS is refused, saying what to configure. */
import { describe, expect, it } from 'vitest';
import { startLocalRuntime } from '@twofold/local/runtime';
import { api } from '../support/api';
import { ManualClock } from '../support/fakes';

describe('SMS only where the deployment can send it', () => {
  it('without an SMS sender, allowing sms is 422 naming methods.allowed and saying what to configure', async () => {
    const runtime = await startLocalRuntime({ port: 0, clock: new ManualClock(), sms: false, graceTimer: false });
    try {
      const tenant = await runtime.createTenant('No SMS Inc');
      const admin = api(runtime.baseUrl, tenant.adminKey);
      const r = await admin('PUT', '/v1/policy', { methods: { allowed: ['totp', 'sms'], default: 'totp' } });
      expect(r.status).toBe(422);
      expect(r.body.error.code).toBe('invalid_policy');
      expect(r.body.error.message).toMatch(/methods\.allowed.*SMS sender/);
    } finally {
      await runtime.stop();
    }
  });

});
