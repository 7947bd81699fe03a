/**
 * A restart keeps everything: run the local runtime on a data directory, enrol, stop it, start
 * it again on the same directory, and the same keys, secret and recovery codes still work (the
 * master key and the tables are on disk, and the used TOTP step is remembered). On each local
 * engine: dynalite (what `npm start` runs on) and DynamoDB Local; and a directory keeps the
 * engine it was made with.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { LOCAL_ENGINES, walMode } from '@twofold/local/dynamodb-local';
import { oathtool } from '../support/authenticator';
import { ManualClock } from '../support/fakes';
import { challengeFor, enrolTotp, nextCode, startTwofold, type Enrolment, type Twofold } from '../support/twofold';

describe.each(LOCAL_ENGINES)('stop and start again on the same data directory (%s)', (engine) => {
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

  let first: Twofold;
  let alice: Enrolment;
  let lastCode: string;

  it('first run: enrol alice and log in once', async () => {
    first = running = await startTwofold({ dataDir, clock, ...(engine === 'dynalite' ? {} : { engine }) });
    alice = await enrolTotp(first, first.app, 'alice');
    lastCode = await nextCode(first, alice.secret);
    expect((await first.app('POST', `/v1/challenges/${await challengeFor(first.app, 'alice')}/verify`, { code: lastCode })).status).toBe(200);
    await first.stop();
    running = undefined;
    // dynalite is the default for a new directory; DynamoDB Local's SQLite file was switched to
    // WAL on the first start (one log append per write)
    expect(existsSync(join(dataDir, engine))).toBe(true);
    if (engine === 'dynamodb-local') expect(walMode(join(dataDir, engine))).toBe(true);
  });

  it('second run: the same keys, user, secret and recovery codes work, and the used code stays used', async () => {
    // no engine named: the directory's own
    const second = (running = await startTwofold({ dataDir, clock, tenant: first.tenant }));
    expect(second.runtime.dynamo).toMatch(engine === 'dynalite' ? /^dynalite/ : /^DynamoDB Local/);
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

  // once: an empty directory names no engine and gets dynalite whichever engine made the keys,
  // so the run in the DynamoDB Local block was the same run again
  if (engine === 'dynalite') it('control: on another, empty data directory the same keys mean nothing (the state came from the directory)', async () => {
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
