/**
 * DEMO_MODE=prompt: the whole second step on Twofold's hosted prompt, in the few lines a client
 * app's server needs. After the password, createPrompt (the client makes the state and the PKCE
 * verifier; the session keeps them) and a redirect; at the callback, exchangePromptCode (it
 * checks the state, then trades the code and the verifier for the signed assertion).
 */
import { PromptRefused } from '../../client/src/index';
import type { Session } from './sessions';
import { isTwofoldError, type Twofold } from './twofold';

export type PromptOutcome = { ok: true; username: string; assertion: string | null } | { ok: false; message: string };

export function promptMode({ twofold, publicUrl }: { twofold: Twofold; publicUrl: string }) {
  const redirectUri = `${publicUrl}/2fa/callback`;
  return {
    redirectUri,
    /** Starts a prompt for the user: the URL to send the browser to. */
    async start(session: Session, username: string, purpose: 'login' | 'setup'): Promise<string> {
      const started = await twofold.createPrompt({ userId: username, redirectUri, purpose });
      session.prompt = { username, state: started.state, codeVerifier: started.codeVerifier };
      return started.url;
    },
    /** The callback: the prompt's answer, once (the session forgets the prompt whatever it says). */
    async finish(session: Session, callbackUrl: string): Promise<PromptOutcome> {
      const pending = session.prompt;
      session.prompt = undefined;
      if (!pending) return { ok: false, message: 'That sign-in link has already been used. Sign in again.' };
      try {
        const token = await twofold.exchangePromptCode(callbackUrl, pending);
        return { ok: true, username: pending.username, assertion: token.assertion };
      } catch (error) {
        if (error instanceof PromptRefused) return { ok: false, message: error.error === 'locked' ? 'Too many wrong codes: your account is locked for a while.' : 'Sign-in was cancelled.' };
        if (isTwofoldError(error) && error.code === 'invalid_grant') return { ok: false, message: 'That sign-in could not be completed. Sign in again.' };
        throw error;
      }
    },
  };
}
