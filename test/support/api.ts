/** A thin fetch wrapper for calling Twofold over HTTP as a client app would. */

// Response bodies are whatever the API answered; the tests' assertions check their shape.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface ApiResponse {
  status: number;
  headers: Headers;
  /** The raw response text */
  text: string;
  /** The parsed JSON body; undefined when the body is empty or not JSON */
  body: Json;
}

export interface CallOptions {
  /** Sent as is instead of JSON.stringify(body) */
  raw?: string;
  headers?: Record<string, string>;
}

export type Api = (method: string, path: string, body?: unknown, options?: CallOptions) => Promise<ApiResponse>;

/**
 * `api(baseUrl, key)(method, path, body?)`: sends `Authorization: Bearer <key>` (none when `key`
 * is undefined) and a JSON body, and returns the status, headers and parsed body.
 */
export function api(baseUrl: string, key?: string): Api {
  return async (method, path, body, options = {}) => {
    const payload = options.raw ?? (body === undefined ? undefined : JSON.stringify(body));
    const response = await fetch(baseUrl + path, {
      method,
      headers: {
        ...(key === undefined ? {} : { authorization: `Bearer ${key}` }),
        ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
        ...options.headers,
      },
      ...(payload === undefined ? {} : { body: payload }),
    });
    const text = await response.text();
    let parsed: Json;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: response.status, headers: response.headers, text, body: parsed };
  };
}
