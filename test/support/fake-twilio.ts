/**
 * A stand-in for Twilio's REST API on loopback, for the Twilio SMS adapter's tests: it takes
 * `POST /2010-04-01/Accounts/{sid}/Messages.json` as Twilio does (basic auth, form body), keeps
 * what it accepted, answers 201 with a message resource, and refuses as Twilio would: 401 (code
 * 20003) for wrong credentials, 400 (21211) for a To that is not E.164, or whatever the test asks
 * for next.
 */
import { startFakeHttp } from './fake-http';

export interface FakeTwilio {
  baseUrl: string;
  accountSid: string;
  authToken: string;
  /** Every request, as it arrived. */
  requests: { method: string; path: string; authorization: string | undefined; contentType: string | undefined; form: Record<string, string> }[];
  /** Messages accepted (201). */
  accepted: { to: string; from?: string; messagingServiceSid?: string; body: string }[];
  /** The next request gets this status and Twilio error code. */
  refuseNext(status: number, code: number): void;
  close(): Promise<void>;
}

export async function startFakeTwilio(): Promise<FakeTwilio> {
  const accountSid = `AC${'0123456789abcdef'.repeat(2)}`;
  const authToken = 'fake-auth-token';
  const requests: FakeTwilio['requests'] = [];
  const accepted: FakeTwilio['accepted'] = [];
  let refusal: { status: number; code: number } | undefined;
  const server = await startFakeHttp(({ method, path, headers, form }) => {
    requests.push({ method, path, authorization: headers.authorization, contentType: headers['content-type'], form });
    const error = (status: number, code: number, message: string) => ({ status, body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status } });
    if (refusal) {
      const { status, code } = refusal;
      refusal = undefined;
      return error(status, code, `refused (the To number ${form.To} was mentioned here)`);
    }
    if (method !== 'POST' || path !== `/2010-04-01/Accounts/${accountSid}/Messages.json`) return error(404, 20404, 'The requested resource was not found');
    if (headers.authorization !== `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`) return error(401, 20003, 'Authenticate');
    if (!/^\+[1-9]\d{4,14}$/.test(form.To ?? '')) return error(400, 21211, `The 'To' number ${form.To} is not a valid phone number.`);
    accepted.push({ to: form.To!, ...(form.From ? { from: form.From } : {}), ...(form.MessagingServiceSid ? { messagingServiceSid: form.MessagingServiceSid } : {}), body: form.Body ?? '' });
    return { status: 201, body: { sid: `SM${accepted.length.toString(16).padStart(32, '0')}`, status: 'queued', to: form.To, body: form.Body } };
  });
  return {
    baseUrl: server.baseUrl,
    accountSid,
    authToken,
    requests,
    accepted,
    refuseNext: (status, code) => {
      refusal = { status, code };
    },
    close: server.close,
  };
}
