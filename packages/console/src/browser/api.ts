/**
 * The admin API as the console calls it: same origin, relative paths (so that the page works
 * under any base path), the admin key in the Authorization header and nowhere else, nothing
 * cached. Types come from the contract's schemas (types only: no zod in the page).
 */
import type { AdminUserList, AuditList, Overview, Policy, User } from '@twofold/contract/schemas';

export interface ErrorDetail {
  path: string;
  message: string;
}

/** An error answer of the API: `{"error": {code, message, details?}}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
  }
}

type Query = Record<string, string | number | null | undefined>;

const withQuery = (path: string, query: Query = {}) => {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== null && v !== undefined && v !== '') params.set(k, String(v));
  const q = params.toString();
  return q ? `${path}?${q}` : path;
};

export class AdminApi {
  constructor(private readonly key: string) {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(path, {
        method,
        headers: { authorization: `Bearer ${this.key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        cache: 'no-store',
        credentials: 'omit',
        redirect: 'error',
      });
    } catch {
      throw new ApiError(0, 'unreachable', 'Twofold could not be reached. Check your connection and try again.');
    }
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!response.ok) {
      const error = (json as { error?: { code?: string; message?: string; details?: ErrorDetail[] } } | undefined)?.error;
      throw new ApiError(response.status, error?.code ?? 'http_error', error?.message ?? `Twofold answered ${response.status}.`, error?.details ?? []);
    }
    return json as T;
  }

  overview = () => this.call<Overview>('GET', 'v1/admin/overview');
  policy = () => this.call<Policy>('GET', 'v1/policy');
  putPolicy = (policy: Policy) => this.call<Policy>('PUT', 'v1/policy', policy);
  users = (query: { status?: string; role?: string; locked?: 'true'; cursor?: string | null; limit?: number }) => this.call<AdminUserList>('GET', withQuery('v1/admin/users', query));
  user = (userId: string) => this.call<User>('GET', `v1/users/${encodeURIComponent(userId)}`);
  unlock = (userId: string) => this.call<void>('POST', `v1/admin/users/${encodeURIComponent(userId)}/unlock`);
  reset = (userId: string) => this.call<void>('POST', `v1/admin/users/${encodeURIComponent(userId)}/reset`);
  regenerateRecoveryCodes = (userId: string) => this.call<{ recoveryCodes: string[] }>('POST', `v1/admin/users/${encodeURIComponent(userId)}/recovery-codes`);
  audit = (query: { userId?: string; cursor?: string | null; limit?: number }) => this.call<AuditList>('GET', withQuery('v1/admin/audit', query));
}
