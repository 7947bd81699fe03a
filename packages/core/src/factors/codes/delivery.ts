/**
 * Sending a code: the message names the tenant (or its app) and carries the code, and nothing
 * else about the user. A sender's failure becomes `delivery_failed`, after the caller has undone what it
 * wrote for the send.
 */
import type { CoreDeps } from '../../deps';
import { maskDestination } from './destinations';
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

export function requireChannel(deps: Pick<CoreDeps, 'sms' | 'email'>, channel: 'sms' | 'email') {
  if (channel === 'sms' && !deps.sms) fail('sms_not_configured');
  if (channel === 'email' && !deps.email) fail('email_not_configured');
}

const nameOf = (error: unknown) => (error instanceof Error ? error.name : typeof error === 'object' && error !== null && 'name' in error ? String(error.name) : 'Error');

/** Sends the code; on failure runs `undo` (so nothing stays half-written) and fails with delivery_failed, always. */
export async function deliverCode(
  deps: Pick<CoreDeps, 'sms' | 'email'>,
  channel: 'sms' | 'email',
  to: string,
  message: ReturnType<typeof codeMessage>,
  undo: () => Promise<unknown>,
): Promise<void> {
  try {
    if (channel === 'sms') await deps.sms!.send({ to, body: message.sms });
    else await deps.email!.send({ to, subject: message.subject, text: message.text, html: message.html, ...(message.fromName ? { fromName: message.fromName } : {}) });
  } catch (error) {
    // the answer is delivery_failed (502) whatever happens next: an undo that fails too is only
    // logged (what it would have removed expires: a challenge, or a pending factor's code)
    const undoError = await undo().then(
      () => undefined,
      (e: unknown) => nameOf(e),
    );
    throw new DomainError('delivery_failed', `The ${channel === 'sms' ? 'text message' : 'email'} could not be sent; try again.`, {}, {
      channel,
      destination: maskDestination(channel, to),
      // the provider's error name only: its message may quote the destination
      providerError: nameOf(error),
      ...(undoError ? { undoError } : {}),
    });
  }
}
