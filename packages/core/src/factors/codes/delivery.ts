/**
 * Sending a code: the message names the tenant (or its app) and carries the code, and nothing
 * else about the user. A sender's failure becomes `delivery_failed`, after the caller has undone what it
 * wrote for the send.
 */
import type { CoreDeps } from '../../deps';
import { maskEmail, maskPhone } from './destinations';
import { DomainError, fail } from '../../errors';
import { composeCodeMessage, type CodeMessage } from '../../events/messages';
import type { MessageSettings } from '@twofold/contract/schemas';

/**
 * The texts for a code: the tenant's templates or the built-in ones in the user's language
 * (messages.ts). Without options: the tenant's name and English, as before templates existed.
 */
export function codeMessage(tenantName: string, code: string, validSeconds: number, options: { messages?: MessageSettings; locale?: string } = {}): CodeMessage {
  return composeCodeMessage({ tenantName, code, validSeconds, ...options });
}

export type CodeSender = (to: string, message: CodeMessage) => Promise<unknown>;

/** A way codes go out: its sender, how its destinations are masked, what a send is called. */
export interface CodeChannel {
  type: 'sms' | 'email';
  /** The deployment's sender; fails (sms_not_configured, email_not_configured) in one without. */
  sender(deps: Pick<CoreDeps, 'sms' | 'email'>): CodeSender;
  mask(destination: string): string;
  what: string;
}

export const smsChannel: CodeChannel = {
  type: 'sms',
  sender(deps) {
    const sms = deps.sms ?? fail('sms_not_configured');
    return (to, message) => sms.send({ to, body: message.sms });
  },
  mask: maskPhone,
  what: 'text message',
};

export const emailChannel: CodeChannel = {
  type: 'email',
  sender(deps) {
    const email = deps.email ?? fail('email_not_configured');
    return (to, message) => email.send({ to, subject: message.subject, text: message.text, html: message.html, ...(message.fromName ? { fromName: message.fromName } : {}) });
  },
  mask: maskEmail,
  what: 'email',
};

const nameOf = (error: unknown) => (error instanceof Error ? error.name : typeof error === 'object' && error !== null && 'name' in error ? String(error.name) : 'Error');

/** Sends the code; on failure runs `undo` (so nothing stays half-written) and fails with delivery_failed, always. */
export async function deliverCode(channel: CodeChannel, send: CodeSender, to: string, message: CodeMessage, undo: () => Promise<unknown>): Promise<void> {
  try {
    await send(to, message);
  } catch (error) {
    // the answer is delivery_failed (502) whatever happens next: an undo that fails too is only
    // logged (what it would have removed expires: a challenge, or a pending factor's code)
    const undoError = await undo().then(
      () => undefined,
      (e: unknown) => nameOf(e),
    );
    throw new DomainError('delivery_failed', `The ${channel.what} could not be sent; try again.`, {}, {
      channel: channel.type,
      destination: channel.mask(to),
      // the provider's error name only: its message may quote the destination
      providerError: nameOf(error),
      ...(undoError ? { undoError } : {}),
    });
  }
}
