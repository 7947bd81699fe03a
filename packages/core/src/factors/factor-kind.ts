/**
 * What a factor type does, the same five operations for each (factors/kinds.ts lists them):
 * enrol, confirm the pending factor, start a login challenge, check a login answer, describe
 * the factor to clients. The callers (enrollment.ts, challenges.ts, verification.ts,
 * user-view.ts) dispatch through these instead of testing the type.
 */
import type { ChallengeRecord, FactorOf, FactorRecord, TenantRecord, UserAggregate } from '../records';
import type { ConfirmFactorBody, CreateFactorBody, Factor, FactorEnrollment, FactorType, Method, RequestOptionsJSON, VerifyChallengeBody } from '@twofold/contract/schemas';
import type { CoreDeps } from '../deps';
import type { TenantKeys } from '../keyring';
import type { LoginPatch, SendTicket } from '../ports';
import type { ChangeDeps } from '../users/user-change';
import type { CredentialProblem } from './webauthn/webauthn-relying-party';

export type EnrolDeps = Pick<CoreDeps, 'keyRing' | 'throttle' | 'sendLimits' | 'sms' | 'email'> & ChangeDeps;
export type ConfirmDeps = Pick<CoreDeps, 'keyRing'> & ChangeDeps;
/** What preparing and sending a login code takes: the tenant's keys, the send throttle, the senders. */
export type ChallengeDeps = Pick<CoreDeps, 'keyRing' | 'random' | 'throttle' | 'sendLimits' | 'sms' | 'email'>;

/** An enrolment's request, `body` of one type. */
export interface Enrolment<B extends CreateFactorBody = CreateFactorBody> {
  tenant: TenantRecord;
  userId: string;
  user: UserAggregate;
  body: B;
  nowMs: number;
}

/** A confirmation's answer to a pending `factor` of one type. */
export interface Confirmation<F extends FactorRecord = FactorRecord> {
  tenant: TenantRecord;
  keys: TenantKeys;
  userId: string;
  user: UserAggregate;
  factor: F;
  answer: ConfirmFactorBody;
  nowMs: number;
}

/** A confirmed factor: the record that turns it active (its code or registration challenge spent), and what moves in the login item. */
export interface Confirmed {
  activated: FactorRecord;
  login?: LoginPatch;
}

export interface ChallengeStart {
  tenant: TenantRecord;
  user: UserAggregate;
  challenge: ChallengeRecord;
  nowMs: number;
}

/** A code made for a challenge: the send limits it took, what the challenge keeps of it, and its send (once the challenge is written). */
export interface PreparedCode {
  ticket: SendTicket;
  fields: { factorId?: string; codeHash: string; codeSentAtMs: number };
  /** Masked. */
  destination: string;
  /** Sends the code; on failure runs `undo` and fails with delivery_failed. */
  send(undo: () => Promise<unknown>): Promise<void>;
}

/** What a challenge does for the method: a code to make (once the caller's own checks pass) and send, passkey options to return, or nothing. */
export interface ChallengeStep {
  code?: () => Promise<PreparedCode>;
  options?: RequestOptionsJSON;
}

export interface LoginAnswer {
  tenant: TenantRecord;
  keys: TenantKeys;
  challenge: ChallengeRecord;
  user: UserAggregate;
  body: VerifyChallengeBody;
  nowMs: number;
}

/** An answer that matched: what the write that accepts it must check and move. */
export interface MatchedAnswer {
  method: Method;
  expectedCodeHash?: string;
  totpStep?: { factorId: string; step: number };
  recoveryHash?: string;
  webauthnCounter?: { factorId: string; expected: number; next: number };
  /** A passkey whose backup state changed: its new sealed part. */
  resealed?: { factorId: string; sealed: string };
}

/** The enrolment request of each type. */
type EnrolmentBodies = { [T in FactorType]: Extract<CreateFactorBody, { type: T }> };

export interface FactorKind<T extends FactorType = FactorType> {
  readonly type: T;
  /** Starts an enrolment: the pending factor written (and its code sent); what the client is shown. */
  enrol(deps: EnrolDeps, input: Enrolment<EnrolmentBodies[T]>): Promise<FactorEnrollment>;
  /** Checks a pending factor's answer: the activation to commit, or fails (a wrong code counted on the factor, its one write). */
  confirm(deps: ConfirmDeps, input: Confirmation<FactorOf<T>>): Promise<Confirmed>;
  /** What a login challenge answered with this kind does first. */
  challenge(deps: ChallengeDeps, input: ChallengeStart): Promise<ChallengeStep>;
  /** Checks a login answer against what the read shows: matched, refused (a passkey's check that failed), or undefined (a wrong code). */
  answer(deps: Pick<CoreDeps, 'random'>, input: LoginAnswer): Promise<MatchedAnswer | { problem: CredentialProblem } | undefined>;
  /** The factor's own fields in its public view (a masked destination). */
  describe(factor: FactorOf<T>): Pick<Factor, 'destination' | 'recovery'>;
}
