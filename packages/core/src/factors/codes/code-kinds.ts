/**
 * A phone (SMS) and an email address: factors a code is sent to, at enrolment and at each
 * login challenge, and answered with that code. Asking again for the same pending destination
 * sends a new code to the same factor.
 */
import type { CreateFactorBody, OtpEnrollment } from '@twofold/contract/schemas';
import { fail } from '../../errors';
import { newId } from '../../ids';
import type { CodeFactorRecord, FactorOf, UserAggregate } from '../../records';
import { changeUser } from '../../users/user-change';
import type { ChallengeDeps, ChallengeStart, PreparedCode, Confirmation, ConfirmDeps, EnrolDeps, Enrolment, FactorKind, LoginAnswer } from '../factor-kind';
import { addPending, confirmationCode, countEnrollmentFailure } from '../pending-factors';
import { codeMessage, deliverCode, emailChannel, smsChannel, type CodeChannel, type CodeSender } from './delivery';
import { isRecoveryPhone, normaliseEmail, requireSmsDestinationAllowed } from './destinations';
import { destinationKey, newOtpCode, otpHash, sameHash } from './otp-codes';

/** The factor a code for `method` goes to: a regular factor before an emergency recovery phone. */
export function factorFor<M extends 'sms' | 'email'>(user: UserAggregate, method: M): FactorOf<M> | undefined {
  const active = user.factors.filter((f): f is FactorOf<M> => f.status === 'active' && f.type === method);
  return active.find((f) => !isRecoveryPhone(f)) ?? active[0];
}

/** Where an enrolment's code goes, checked and normalised, and what the pending factor keeps of it. */
interface Target {
  destination: string;
  defaultLabel: string;
  factor(pending: Omit<CodeFactorRecord, 'type' | 'destination'>): CodeFactorRecord;
}

async function enrolCode(deps: EnrolDeps, channel: CodeChannel, { tenant, userId, user, body, nowMs }: Enrolment<Extract<CreateFactorBody, { type: 'sms' | 'email' }>>, target: () => Promise<Target>): Promise<OtpEnrollment> {
  const { tenantId, policy } = tenant;
  const type = channel.type;
  const send = channel.sender(deps);
  const recovery = body.type === 'sms' && body.recovery === true;
  // an emergency recovery phone is allowed whatever the login methods; other factors follow the policy
  if (!recovery && !policy.methods.allowed.includes(type)) {
    fail('method_not_available', `This tenant's policy does not allow ${type} factors; allowed: ${policy.methods.allowed.join(', ')}.`);
  }
  const { destination, defaultLabel, factor } = await target();
  const same = user.factors.filter((f) => f.type === type && f.destination === destination);
  if (same.some((f) => f.status === 'active')) fail('duplicate_destination', `The user already has an active ${type} factor for this destination.`);
  const pending = same.find((f) => f.status === 'pending');

  const keys = await deps.keyRing.keysFor(tenant);
  const factorId = pending?.factorId ?? newId(deps.random, 'f');
  const code = newOtpCode(deps.random);
  const codeHash = otpHash(keys.hashKey, tenantId, userId, `factor:${factorId}`, code);
  const codeExpiresAtMs = nowMs + policy.codeTimeoutSeconds * 1000;
  const label = body.label ?? pending?.label ?? defaultLabel;

  const throttled = await deps.throttle.take({ tenantId, userId, destinationKey: destinationKey(keys, tenantId, destination), nowMs, limits: deps.sendLimits });
  if (!throttled.allowed) return fail('rate_limited', 'Too many codes were sent; try again later.', { retryAfterSeconds: throttled.retryAfterSeconds });

  let undo: () => Promise<unknown>;
  try {
    if (pending) {
      if (!(await deps.users.replaceFactorCode(tenantId, userId, factorId, { codeHash, codeExpiresAtMs }))) fail('factor_already_active');
      undo = async () => undefined; // the earlier code was already superseded in the user's eyes; a retry sends a new one
    } else {
      await addPending(deps, tenantId, userId, factor({ factorId, label, status: 'pending', createdAtMs: nowMs, failedAttempts: 0, codeHash, codeExpiresAtMs }), nowMs);
      // a pending factor whose code never went out is taken back
      undo = () => changeUser(deps, tenantId, userId, (u) => ({ change: u.factors.some((f) => f.factorId === factorId && f.status === 'pending') ? { deleteFactors: [factorId] } : {}, result: undefined }));
    }
  } catch (error) {
    // refused before anything was sent: the send does not count against the limits
    await deps.throttle.release(throttled.ticket);
    throw error;
  }
  await deliverCode(channel, send, destination, codeMessage(tenant.name, code, policy.codeTimeoutSeconds, { messages: policy.messages, locale: user.profile?.locale }), undo);
  return { factorId, type, status: 'pending', label, destination: channel.mask(destination), expiresAt: new Date(codeExpiresAtMs).toISOString() };
}

async function confirmCode(deps: ConfirmDeps, { tenant, keys, userId, factor, answer, nowMs }: Confirmation<CodeFactorRecord>) {
  const code = confirmationCode(answer, factor);
  if (factor.codeExpiresAtMs === undefined || nowMs >= factor.codeExpiresAtMs) fail('enrollment_expired', 'The code has expired; ask for a new one by enrolling the same destination again.');
  if (!sameHash(otpHash(keys.hashKey, tenant.tenantId, userId, `factor:${factor.factorId}`, code), factor.codeHash)) await countEnrollmentFailure(deps, tenant.tenantId, userId, factor.factorId);
  // the confirmation code is spent with the activation
  const { codeHash: _c, codeExpiresAtMs: _e, ...rest } = factor;
  return { ...rest, status: 'active' as const, activatedAtMs: nowMs };
}

/** Checks the velocity limits and makes the code for a challenge, to `to`, sent by `send` (the channel checked already). */
async function prepareCode(deps: ChallengeDeps, channel: CodeChannel, send: CodeSender, { tenant, user, challenge, nowMs }: ChallengeStart, to: { factorId?: string; destination: string }): Promise<PreparedCode> {
  const keys = await deps.keyRing.keysFor(tenant);
  const throttled = await deps.throttle.take({
    tenantId: tenant.tenantId,
    userId: challenge.userId,
    destinationKey: destinationKey(keys, tenant.tenantId, to.destination),
    nowMs,
    limits: deps.sendLimits,
  });
  if (!throttled.allowed) return fail('rate_limited', 'Too many codes were sent; try again later.', { retryAfterSeconds: throttled.retryAfterSeconds });
  const code = newOtpCode(deps.random);
  const message = codeMessage(tenant.name, code, challenge.limits.codeTimeoutSeconds, { messages: tenant.policy.messages, locale: user.profile?.locale });
  return {
    ticket: throttled.ticket,
    fields: {
      ...(to.factorId ? { factorId: to.factorId } : {}),
      codeHash: otpHash(keys.hashKey, tenant.tenantId, challenge.userId, `challenge:${challenge.challengeId}`, code),
      codeSentAtMs: nowMs,
    },
    destination: channel.mask(to.destination),
    send: (undo: () => Promise<unknown>) => deliverCode(channel, send, to.destination, message, undo),
  };
}

/** The code sent for this challenge; the write checks it is still the current one. */
async function answerCode(_deps: unknown, { keys, challenge, body }: LoginAnswer) {
  const { tenantId, userId, challengeId, method } = challenge;
  const codeHash = otpHash(keys.hashKey, tenantId, userId, `challenge:${challengeId}`, body.code ?? '');
  return sameHash(codeHash, challenge.codeHash) ? { method, expectedCodeHash: codeHash } : undefined;
}

const noFactor = (method: string): never => fail('method_not_available', `The user has no active ${method} factor.`);

export const sms: FactorKind<'sms'> = {
  type: 'sms',
  enrol: (deps, input) =>
    enrolCode(deps, smsChannel, input, async () => {
      // a phone is checked with the full metadata (a mobile, of an allowed country) before anything is written or sent
      const { checkSmsDestination } = await import('./phone-numbers');
      const phone = checkSmsDestination(input.body.phone, input.tenant.policy.sms.allowedCountries);
      const recovery = input.body.recovery === true;
      return {
        destination: phone.e164,
        defaultLabel: recovery ? 'Recovery phone' : 'Phone',
        factor: (pending) => ({ ...pending, type: 'sms', destination: phone.e164, phoneCountry: phone.country, phoneType: phone.type, ...(recovery ? { recovery: true } : {}) }),
      };
    }),
  confirm: async (deps, input) => ({ activated: await confirmCode(deps, input) }),
  challenge: async (deps, input) => ({ code: () => smsCode(deps, input) }),
  answer: answerCode,
  describe: (f) => ({ destination: smsChannel.mask(f.destination), ...(f.recovery ? { recovery: true } : {}) }),
};

function smsCode(deps: ChallengeDeps, input: ChallengeStart) {
  const send = smsChannel.sender(deps);
  const factor = factorFor(input.user, 'sms') ?? noFactor('sms');
  // the policy as it is now, not as the challenge copied it: a narrowed allow-list stops sends at once
  requireSmsDestinationAllowed(factor, input.tenant.policy.sms.allowedCountries);
  return prepareCode(deps, smsChannel, send, input, factor);
}

export const email: FactorKind<'email'> = {
  type: 'email',
  enrol: (deps, input) =>
    enrolCode(deps, emailChannel, input, async () => {
      const destination = normaliseEmail(input.body.email);
      return { destination, defaultLabel: 'Email', factor: (pending) => ({ ...pending, type: 'email', destination }) };
    }),
  confirm: async (deps, input) => ({ activated: await confirmCode(deps, input) }),
  challenge: async (deps, input) => ({ code: () => emailCode(deps, input) }),
  answer: answerCode,
  describe: (f) => ({ destination: emailChannel.mask(f.destination) }),
};

function emailCode(deps: ChallengeDeps, input: ChallengeStart) {
  const send = emailChannel.sender(deps);
  // a new-device challenge mails the profile address; otherwise the code goes to the user's factor
  const profileEmail = input.challenge.purpose === 'new_device' ? input.user.profile?.email : undefined;
  const to = profileEmail ? { destination: profileEmail } : (factorFor(input.user, 'email') ?? noFactor('email'));
  return prepareCode(deps, emailChannel, send, input, to);
}
