/**
 * What the SMS adapters over a provider's REST API (Twilio, Vonage) share: their settings, and
 * the one form-encoded POST that sends a text.
 */

export interface HttpSmsSettings<Credentials> {
  /** Read on each send (Secrets Manager in AWS: once per container, see aws/secrets-manager-secret.ts). */
  credentials: () => Promise<Credentials>;
  /** Injectable, so tests see every request exactly. */
  fetch?: typeof fetch;
  /** The provider's API, or a stand-in in tests. */
  baseUrl?: string;
  timeoutMs?: number;
}

/** POSTs `form` form-encoded (in its order) to `url`, asking for JSON, within the settings' timeout (10 s by default). */
export function postForm(settings: Pick<HttpSmsSettings<unknown>, 'fetch' | 'timeoutMs'>, url: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
  return (settings.fetch ?? fetch)(url, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams(form).toString(),
    signal: AbortSignal.timeout(settings.timeoutMs ?? 10_000),
  });
}
