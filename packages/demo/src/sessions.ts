/**
 * Browser sessions, in memory: an opaque random id in an HttpOnly, SameSite=Lax cookie, and per
 * session a CSRF token every form carries back. Signing in replaces the session (a new id), so
 * an id planted before sign-in is worth nothing after it.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FactorType, Method } from './twofold';

/** The login step (or a fresh verification) in progress: a Twofold challenge to answer. */
export interface PendingChallenge {
  challengeId: string;
  method: Method;
  methods: Method[];
  destination?: string;
  /** sms/email: a code was just sent again */
  resent?: boolean;
}

/** An action that needs a fresh verification, done once the user has answered a challenge. */
export type SensitiveAction = { kind: 'disable' } | { kind: 'regenerate' } | { kind: 'view-codes' } | { kind: 'remove-factor'; factorId: string };

export interface FactorSetup {
  factorId: string;
  type: 'totp' | 'sms' | 'email';
  /** totp: the secret and its QR code, shown until the factor is confirmed */
  secret?: string;
  qrCode?: string;
  destination?: string;
}

export interface Session {
  id: string;
  csrf: string;
  lastSeenMs: number;
  /** Signed in: past the password and, where asked, the code */
  username?: string;
  /** Past the password, answering the login step */
  login?: { username: string; challenge: PendingChallenge; enrollmentRequired?: boolean; enrollmentMethods?: FactorType[] };
  /** The policy requires two-factor of this user: setup is all they may do (or, in the grace period, may skip) */
  enrollment?: { required: true; graceEndsAt: string | null; skippable: boolean; methods?: FactorType[] };
  /** The last Twofold assertion: proof of a recent verification for sensitive calls */
  assertion?: string;
  stepUp?: { action: SensitiveAction; challenge: PendingChallenge };
  setup?: FactorSetup;
  /** Codes to show: new ones (`fresh`: shown once, `shown` once the page rendered them; `replaced`: earlier ones stopped working) or the current ones. */
  codes?: { codes: string[]; fresh: boolean; replaced: boolean; shown?: boolean };
  flash?: { kind: 'success' | 'error' | 'info'; text: string };
  /** DEMO_MODE=prompt: the hosted prompt under way (its state and PKCE verifier stay here, server side). */
  prompt?: { username: string; state: string; codeVerifier: string };
}

const IDLE_MS = 12 * 60 * 60 * 1000;
/** Every first visit makes a session: past this many, the least recently made go first. */
const MAX_SESSIONS = 10_000;
export const SESSION_COOKIE = 'demo_session';

export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly now: () => number = Date.now) {}

  get(id: string | undefined): Session | undefined {
    if (!id) return undefined;
    const session = this.sessions.get(id);
    if (!session) return undefined;
    if (this.now() - session.lastSeenMs > IDLE_MS) {
      this.sessions.delete(id);
      return undefined;
    }
    session.lastSeenMs = this.now();
    return session;
  }

  create(): Session {
    const session: Session = { id: token(), csrf: token(), lastSeenMs: this.now() };
    this.add(session);
    return session;
  }

  /** A new id and CSRF token for the session's state (at sign-in and at each step up in trust). */
  rotate(session: Session): Session {
    this.sessions.delete(session.id);
    const next = { ...session, id: token(), csrf: token(), lastSeenMs: this.now() };
    this.add(next);
    return next;
  }

  private add(session: Session) {
    // a Map iterates in insertion order: the first keys are the oldest sessions
    for (const id of this.sessions.keys()) {
      if (this.sessions.size < MAX_SESSIONS) break;
      this.sessions.delete(id);
    }
    this.sessions.set(session.id, session);
  }

  destroy(session: Session) {
    this.sessions.delete(session.id);
  }
}

function token(): string {
  return randomBytes(32).toString('base64url');
}

export function csrfMatches(session: Session, sent: unknown): boolean {
  if (typeof sent !== 'string') return false;
  const a = Buffer.from(sent);
  const b = Buffer.from(session.csrf);
  return a.length === b.length && timingSafeEqual(a, b);
}
