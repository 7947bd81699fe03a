/**
 * A stand-in for Vonage's SMS API on loopback, for the Vonage SMS adapter's tests: it takes
 * `POST /sms/json` as Vonage does (api_key and api_secret in the form body), keeps what it
 * accepted, and answers 200 with a `messages[]` whose status says what became of the message,
 * as Vonage does: "0" accepted, "4" for wrong credentials, "2" for a missing parameter, "3" for
 * a `to` that is not E.164 without the `+`, or whatever the test asks for next.
 */
import { startFakeHttp } from './fake-http';

export interface FakeVonage {
  baseUrl: string;
  apiKey: string;
  apiSecret: string;
  /** Every request, as it arrived. */
  requests: { method: string; path: string; contentType: string | undefined; form: Record<string, string> }[];
  /** Messages accepted (status "0"), as Vonage got them. */
  accepted: { to: string; from: string; text: string; type: string }[];
  /** The next request gets this Vonage status (HTTP 200), or this HTTP status. */
  refuseNext(refusal: { vonageStatus: string } | { httpStatus: number }): void;
  close(): Promise<void>;
}

export async function startFakeVonage(): Promise<FakeVonage> {
  const apiKey = 'a1b2c3d4';
  const apiSecret = 'fake-api-secret';
  const requests: FakeVonage['requests'] = [];
  const accepted: FakeVonage['accepted'] = [];
  let refusal: Parameters<FakeVonage['refuseNext']>[0] | undefined;
  const server = await startFakeHttp(({ method, path, headers, form }) => {
    requests.push({ method, path, contentType: headers['content-type'], form });
    const refused = (status: string, errorText: string) => ({ status: 200, body: { 'message-count': '1', messages: [{ status, 'error-text': errorText }] } });
    if (refusal) {
      const next = refusal;
      refusal = undefined;
      if ('httpStatus' in next) return { status: next.httpStatus, body: { type: 'about:blank', title: 'Refused', detail: `refused (the number ${form.to} was mentioned here)` } };
      return refused(next.vonageStatus, `refused (the number ${form.to} and the text "${form.text}" were mentioned here)`);
    }
    if (method !== 'POST' || path !== '/sms/json') return { status: 404, body: { type: 'about:blank', title: 'Not Found' } };
    if (!form.api_key || !form.api_secret || !form.from || !form.to || !form.text) return refused('2', 'Missing params');
    if (form.api_key !== apiKey || form.api_secret !== apiSecret) return refused('4', 'Bad Credentials');
    if (!/^[1-9]\d{4,14}$/.test(form.to)) return refused('3', `Invalid to address: ${form.to}`);
    if (form.type !== undefined && form.type !== 'text' && form.type !== 'unicode') return refused('3', 'Invalid message type');
    accepted.push({ to: form.to, from: form.from, text: form.text, type: form.type ?? 'text' });
    const messageId = accepted.length.toString(16).toUpperCase().padStart(16, '0');
    return { status: 200, body: { 'message-count': '1', messages: [{ to: form.to, 'message-id': messageId, status: '0', 'remaining-balance': '10.00000000', 'message-price': '0.03330000', network: '20801' }] } };
  });
  return {
    baseUrl: server.baseUrl,
    apiKey,
    apiSecret,
    requests,
    accepted,
    refuseNext: (next) => {
      refusal = next;
    },
    close: server.close,
  };
}
