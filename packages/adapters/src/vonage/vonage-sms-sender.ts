/**
 * SMS through Vonage's SMS API: one `POST /sms/json` per code on https://rest.nexmo.com,
 * form-encoded (api_key, api_secret, from, to, text, type), the numbers in E.164 without the
 * `+`. Vonage answers 200 even when it refuses: each part of the message has a `status` in
 * `messages[]`, "0" when accepted, anything else refused (1 throttled, 2 missing parameters, 4
 * invalid credentials, 9 partner quota exceeded, ...). The text goes as `type` `text` when
 * GSM-7 can carry it, as `unicode` otherwise. Credentials and `fetch` as for Twilio
 * (http-sms.ts).
 */
import * as z from 'zod/mini';
import type { SmsSender } from '@twofold/core/ports';
import { postForm, type HttpSmsSettings } from '../http-sms';
import { isProviderSmsFrom } from '../sms-origination';

export const VonageCredentials = z.object({
  apiKey: z.string().check(z.minLength(1)),
  apiSecret: z.string().check(z.minLength(1)),
  from: z.string().check(z.refine(isProviderSmsFrom, 'from is an E.164 number or an alphanumeric sender id')),
});
export type VonageCredentials = z.infer<typeof VonageCredentials>;

/** Vonage refused the message or could not be reached: the HTTP status and Vonage's status code, never the destination or the text (its error-text may quote them). */
export class VonageError extends Error {
  constructor(
    readonly status: number,
    readonly vonageStatus?: string,
  ) {
    super(`Vonage answered ${status}${vonageStatus === undefined ? '' : ` (status ${vonageStatus})`}`);
    this.name = 'VonageError';
  }
}

export type VonageSettings = HttpSmsSettings<VonageCredentials>;

// the GSM 03.38 default alphabet and its extension table (each extension character takes two septets)
const GSM_7 = /^[@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&'()*+,\-./0-9:;<=>?¡A-ZÄÖÑÜ§¿a-zäöñüà\f^{}\\[~\]|€]*$/;

/** Vonage's `type`: `text` (GSM-7) when the default alphabet holds every character, else `unicode` (UCS-2). */
export const vonageMessageType = (text: string): 'text' | 'unicode' => (GSM_7.test(text) ? 'text' : 'unicode');

const VonageAnswer = z.object({ messages: z.array(z.object({ status: z.string() })).check(z.minLength(1)) });

export class VonageSmsSender implements SmsSender {
  constructor(private readonly settings: VonageSettings) {}

  async send({ to, body }: { to: string; body: string }): Promise<void> {
    const c = await this.settings.credentials();
    const response = await postForm(this.settings, `${this.settings.baseUrl ?? 'https://rest.nexmo.com'}/sms/json`, {
      api_key: c.apiKey,
      api_secret: c.apiSecret,
      from: c.from.replace(/^\+/, ''),
      to: to.replace(/^\+/, ''),
      text: body,
      type: vonageMessageType(body),
    });
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new VonageError(response.status);
    }
    let answer: unknown;
    try {
      answer = await response.json();
    } catch {
      answer = undefined;
    }
    const parsed = VonageAnswer.safeParse(answer);
    if (!parsed.success) throw new VonageError(response.status);
    const refused = parsed.data.messages.find((m) => m.status !== '0');
    if (refused) throw new VonageError(response.status, refused.status);
  }
}
