/**
 * A restart keeps everything: run the local runtime on a data directory, enrol, stop it, start
 * it again on the same directory, and the same keys, secret and recovery codes still work (the
 * master key and the tables are on disk, and the used TOTP step is remembered).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { walMode } from '@twofold/local/dynamodb-local';
import { oathtool } from '../support/authenticator';
import { ManualClock } from '../support/fakes';
import { challengeFor, enrolTotp, nextCode, startTwofold, type Enrolment, type Twofold } from '../support/twofold';

let dataDir: string;
let running: Twofold | undefined;
const clock = new ManualClock();

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'twofold-restart-'));
});
afterAll(async () => {
  await running?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('stop and start again on the same data directory', () => {
  let first: Twofold;
  let alice: Enrolment;
  let lastCode: string;

  it('first run: enrol alice and log in once', async () => {
    first = running = await startTwofold({ dataDir, clock });
    alice = await enrolTotp(first, first.app, 'alice');
    lastCode = await nextCode(first, alice.secret);
    expect((await first.app('POST', `/v1/challenges/${await challengeFor(first.app, 'alice')}/verify`, { code: lastCode })).status).toBe(200);
    await first.stop();
    running = undefined;
    // the engine's SQLite file was switched to WAL on the first start (one log append per write)
    expect(walMode(join(dataDir, 'dynamodb-local'))).toBe(true);
  });

  it('second run: the same keys, user, secret and recovery codes work, and the used code stays used', async () => {
    const second = (running = await startTwofold({ dataDir, clock, tenant: first.tenant }));
    const app = second.app;

    const user = await app('GET', '/v1/users/alice');
    expect(user.status).toBe(200);
    expect(user.body).toMatchObject({ status: 'enrolled', recoveryCodesRemaining: 8 });
    expect(user.body.factors).toMatchObject([{ factorId: alice.factorId, status: 'active' }]);

    // the code used before the restart is still spent
    const replay = await app('POST', `/v1/challenges/${await challengeFor(app, 'alice')}/verify`, { code: lastCode });
    expect(replay.status).toBe(422);

    clock.advanceSeconds(30);
    const login = await app('POST', `/v1/challenges/${await challengeFor(app, 'alice')}/verify`, { code: await oathtool(alice.secret, clock.nowMs()) });
    expect(login.status).toBe(200);
    const recovered = await app('POST', `/v1/challenges/${await challengeFor(app, 'alice')}/verify`, { recoveryCode: alice.recoveryCodes[0] });
    expect(recovered.status).toBe(200);
    expect(recovered.body.recoveryCodesRemaining).toBe(7);
    expect((await second.admin('GET', '/v1/users/alice')).status).toBe(200);
    await second.stop();
    running = undefined;
  });

  it('control: on another, empty data directory the same keys mean nothing (the state came from the directory)', async () => {
    const otherDir = await mkdtemp(join(tmpdir(), 'twofold-empty-'));
    try {
      const other = (running = await startTwofold({ dataDir: otherDir, clock, tenant: first.tenant }));
      const r = await other.app('GET', '/v1/users/alice');
      expect(r.status).toBe(401);
      await other.stop();
      running = undefined;
    } finally {
      await rm(otherDir, { recursive: true, force: true });
    }
  });
});
