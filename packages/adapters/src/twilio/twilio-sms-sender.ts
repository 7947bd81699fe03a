/**
 * SMS through Twilio's Programmable Messaging REST API: one `POST
 * /2010-04-01/Accounts/{AccountSid}/Messages.json` per code, form-encoded (To, From or
 * MessagingServiceSid, Body), with HTTP basic auth (the account SID and auth token, or an API
 * key SID and secret). Twilio answers 201 when it accepted the message. The credentials come
 * from `credentials()` (Secrets Manager in AWS: read once per container, see
 * aws/secrets-manager-secret.ts); `fetch` is injectable so tests see every request exactly
 * (the settings and the POST are Vonage's too: http-sms.ts).
 */
import * as z from 'zod/mini';
import type { SmsSender } from '@twofold/core/ports';
import { postForm, type HttpSmsSettings } from '../http-sms';
import { isProviderSmsFrom } from '../sms-origination';

export const TwilioCredentials = z
    .object({
      accountSid: z.string().check(z.regex(/^AC[0-9a-fA-F]{32}$/, 'accountSid is AC followed by 32 hex digits')),
      authToken: z.optional(z.string().check(z.minLength(1))),
      apiKeySid: z.optional(z.string().check(z.regex(/^SK[0-9a-fA-F]{32}$/, 'apiKeySid is SK followed by 32 hex digits'))),
      apiKeySecret: z.optional(z.string().check(z.minLength(1))),
      from: z.optional(z.string().check(z.refine(isProviderSmsFrom, 'from is an E.164 number or an alphanumeric sender id'))),
      messagingServiceSid: z.optional(z.string().check(z.regex(/^MG[0-9a-fA-F]{32}$/, 'messagingServiceSid is MG followed by 32 hex digits'))),
    })
    .check(
      z.refine((c) => Boolean(c.authToken) || (Boolean(c.apiKeySid) && Boolean(c.apiKeySecret)), 'give authToken, or apiKeySid and apiKeySecret'),
      z.refine((c) => Boolean(c.from) || Boolean(c.messagingServiceSid), 'give from or messagingServiceSid'),
    );
export type TwilioCredentials = z.infer<typeof TwilioCredentials>;

/** Twilio refused the message or could not be reached: its status and error code, never the destination (Twilio's own message may quote it). */
export class TwilioError extends Error {
  constructor(
    readonly status: number,
    readonly twilioCode?: number,
  ) {
    super(`Twilio answered ${status}${twilioCode === undefined ? '' : ` (error ${twilioCode})`}`);
    this.name = 'TwilioError';
  }
}

export type TwilioSettings = HttpSmsSettings<TwilioCredentials>;

export class TwilioSmsSender implements SmsSender {
  constructor(private readonly settings: TwilioSettings) {}

  async send({ to, body }: { to: string; body: string }): Promise<void> {
    const c = await this.settings.credentials();
    const form = { To: to, ...(c.messagingServiceSid ? { MessagingServiceSid: c.messagingServiceSid } : { From: c.from! }), Body: body };
    const user = c.apiKeySid ?? c.accountSid;
    const password = c.apiKeySid ? c.apiKeySecret! : c.authToken!;
    const response = await postForm(this.settings, `${this.settings.baseUrl ?? 'https://api.twilio.com'}/2010-04-01/Accounts/${c.accountSid}/Messages.json`, form, {
      authorization: `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`,
    });
    if (response.status === 201 || response.status === 200) {
      await response.body?.cancel();
      return;
    }
    let code: number | undefined;
    try {
      code = ((await response.json()) as { code?: number }).code;
    } catch {
      code = undefined;
    }
    throw new TwilioError(response.status, code);
  }
}
