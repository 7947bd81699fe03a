/**
 * The route table: the one list of HTTP routes. The CDK stack makes an API Gateway route per
 * entry, the local server routes with it, the handlers validate with its schemas, and the
 * OpenAPI document is generated from it.
 */
import type * as z from 'zod/mini';
import type { ErrorCode } from './errors';
import * as s from './schemas';

/** The Lambda functions that serve routes; each is one concern. */
export const routedFunctions = ['public', 'enrollment', 'challenge', 'verify', 'devices', 'admin'] as const;
export type RoutedFunction = (typeof routedFunctions)[number];

/** `public` needs no key; `app` is any key of the tenant; `admin` only an admin key. */
export type RouteScope = 'public' | 'app' | 'admin';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface RouteDefinition {
  operationId: string;
  method: HttpMethod;
  /** API Gateway syntax: `/v1/users/{userId}` */
  path: string;
  fn: RoutedFunction;
  scope: RouteScope;
  summary: string;
  params?: z.ZodMiniType;
  query?: z.ZodMiniType;
  body?: z.ZodMiniType;
  /** undefined for 204 */
  response?: z.ZodMiniType;
  status: 200 | 201 | 202 | 204;
  /**
   * Needs a fresh verification of the user in the Twofold-Assertion header (app keys; admin keys
   * are exempt): `required` refuses without one, `optional` shows more with one.
   */
  fresh?: 'required' | 'optional';
  /** error codes this route is documented to return, besides the ones every route may return */
  errors?: string[];
  /** The error a body that fails its schema gets, instead of 400 invalid_request (the policy: 422 invalid_policy). */
  invalidBody?: ErrorCode;
}

const route = <const R extends RouteDefinition>(r: R): R => r;

export const routes = [
  route({ operationId: 'health', method: 'GET', path: '/health', fn: 'public', scope: 'public', summary: 'Liveness check', response: s.Health, status: 200 }),
  route({ operationId: 'openapi', method: 'GET', path: '/openapi.json', fn: 'public', scope: 'public', summary: 'This API as an OpenAPI 3.1 document', status: 200 }),
  route({ operationId: 'jwks', method: 'GET', path: '/.well-known/jwks.json', fn: 'public', scope: 'public', summary: 'The public keys that sign assertions', response: s.Jwks, status: 200 }),

  route({ operationId: 'putUser', method: 'PUT', path: '/v1/users/{userId}', fn: 'enrollment', scope: 'app', summary: 'Create or update a user', params: s.UserPath, body: s.PutUserBody, response: s.User, status: 200 }),
  route({ operationId: 'getUser', method: 'GET', path: '/v1/users/{userId}', fn: 'enrollment', scope: 'app', summary: "A user's two-factor status", params: s.UserPath, response: s.User, status: 200, errors: ['user_not_found'] }),
  route({ operationId: 'disableTwoFactor', method: 'DELETE', path: '/v1/users/{userId}/two-factor', fn: 'enrollment', scope: 'app', summary: 'Remove every factor, recovery code and trusted device of the user', params: s.UserPath, status: 204, fresh: 'required', errors: ['user_not_found', 'fresh_verification_required'] }),
  route({ operationId: 'createFactor', method: 'POST', path: '/v1/users/{userId}/factors', fn: 'enrollment', scope: 'app', summary: 'Start enrolling a factor', params: s.UserPath, body: s.CreateFactorBody, response: s.FactorEnrollment, status: 201, errors: ['too_many_factors', 'sms_not_configured', 'email_not_configured', 'invalid_phone_number', 'phone_number_not_allowed', 'duplicate_destination', 'rate_limited', 'delivery_failed'] }),
  route({ operationId: 'listFactors', method: 'GET', path: '/v1/users/{userId}/factors', fn: 'enrollment', scope: 'app', summary: "The user's factors", params: s.UserPath, response: s.FactorList, status: 200, errors: ['user_not_found'] }),
  route({ operationId: 'verifyFactor', method: 'POST', path: '/v1/users/{userId}/factors/{factorId}/verify', fn: 'enrollment', scope: 'app', summary: 'Confirm a factor with a code', params: s.FactorPath, body: s.CodeBody, response: s.FactorVerified, status: 200, errors: ['factor_not_found', 'invalid_code', 'factor_already_active', 'enrollment_expired'] }),
  route({ operationId: 'deleteFactor', method: 'DELETE', path: '/v1/users/{userId}/factors/{factorId}', fn: 'enrollment', scope: 'app', summary: 'Remove a factor', params: s.FactorPath, status: 204, fresh: 'required', errors: ['factor_not_found', 'fresh_verification_required'] }),
  route({ operationId: 'getRecoveryCodes', method: 'GET', path: '/v1/users/{userId}/recovery-codes', fn: 'enrollment', scope: 'app', summary: 'How many recovery codes are left (and, with a fresh verification, which)', params: s.UserPath, response: s.RecoveryCodesRemaining, status: 200, fresh: 'optional', errors: ['user_not_found'] }),
  route({ operationId: 'regenerateRecoveryCodes', method: 'POST', path: '/v1/users/{userId}/recovery-codes', fn: 'enrollment', scope: 'app', summary: 'Replace the recovery codes with a new set', params: s.UserPath, response: s.RecoveryCodes, status: 201, fresh: 'required', errors: ['user_not_found', 'not_enrolled', 'fresh_verification_required'] }),

  route({ operationId: 'listDevices', method: 'GET', path: '/v1/users/{userId}/devices', fn: 'devices', scope: 'app', summary: "The user's trusted devices", params: s.UserPath, response: s.DeviceList, status: 200 }),
  route({ operationId: 'revokeDevice', method: 'DELETE', path: '/v1/users/{userId}/devices/{deviceId}', fn: 'devices', scope: 'app', summary: 'Stop trusting a device', params: s.DevicePath, status: 204, errors: ['device_not_found'] }),
  route({ operationId: 'revokeAllDevices', method: 'DELETE', path: '/v1/users/{userId}/devices', fn: 'devices', scope: 'app', summary: 'Stop trusting every device of the user', params: s.UserPath, status: 204 }),

  route({ operationId: 'createChallenge', method: 'POST', path: '/v1/users/{userId}/challenges', fn: 'challenge', scope: 'app', summary: 'Start the login step: decides whether a second factor is required', params: s.UserPath, body: s.CreateChallengeBody, response: s.ChallengeCreated, status: 201, errors: ['method_not_available', 'rate_limited', 'delivery_failed', 'idempotency_in_progress', 'idempotency_key_reused'] }),
  route({ operationId: 'resendChallenge', method: 'POST', path: '/v1/challenges/{challengeId}/resend', fn: 'challenge', scope: 'app', summary: 'Send a new code (the old one stops working), or switch to another method', params: s.ChallengePath, body: s.ResendBody, response: s.ChallengeResent, status: 202, errors: ['challenge_not_found', 'challenge_expired', 'challenge_already_verified', 'resend_limit_reached', 'rate_limited', 'method_not_available', 'delivery_failed', 'idempotency_in_progress', 'idempotency_key_reused'] }),
  route({ operationId: 'getChallenge', method: 'GET', path: '/v1/challenges/{challengeId}', fn: 'challenge', scope: 'app', summary: 'A challenge and its state', params: s.ChallengePath, response: s.Challenge, status: 200, errors: ['challenge_not_found'] }),
  route({ operationId: 'verifyChallenge', method: 'POST', path: '/v1/challenges/{challengeId}/verify', fn: 'verify', scope: 'app', summary: 'Answer a challenge with a code or a recovery code', params: s.ChallengePath, body: s.VerifyChallengeBody, response: s.ChallengeVerified, status: 200, errors: ['challenge_not_found', 'invalid_code', 'locked', 'challenge_expired', 'challenge_already_verified'] }),

  route({ operationId: 'getPolicy', method: 'GET', path: '/v1/policy', fn: 'admin', scope: 'app', summary: "The tenant's two-factor policy", response: s.Policy, status: 200 }),
  route({ operationId: 'putPolicy', method: 'PUT', path: '/v1/policy', fn: 'admin', scope: 'admin', summary: "Replace the tenant's policy (absent fields take their defaults); applies from the next challenge", body: s.Policy, response: s.Policy, status: 200, invalidBody: 'invalid_policy', errors: ['invalid_policy'] }),
  route({ operationId: 'listUsers', method: 'GET', path: '/v1/admin/users', fn: 'admin', scope: 'admin', summary: 'Users by status and role, a page at a time', query: s.AdminUserQuery, response: s.AdminUserList, status: 200 }),
  route({ operationId: 'unlockUser', method: 'POST', path: '/v1/admin/users/{userId}/unlock', fn: 'admin', scope: 'admin', summary: "Lift the user's lockout", params: s.UserPath, status: 204, errors: ['user_not_found'] }),
  route({ operationId: 'resetUser', method: 'POST', path: '/v1/admin/users/{userId}/reset', fn: 'admin', scope: 'admin', summary: 'Remove every factor, recovery code and trusted device, and the lock: the user enrolls again', params: s.UserPath, status: 204, errors: ['user_not_found'] }),
  route({ operationId: 'adminRegenerateRecoveryCodes', method: 'POST', path: '/v1/admin/users/{userId}/recovery-codes', fn: 'admin', scope: 'admin', summary: "Replace a user's recovery codes with a new set", params: s.UserPath, response: s.RecoveryCodes, status: 201, errors: ['user_not_found', 'not_enrolled'] }),
  route({ operationId: 'overview', method: 'GET', path: '/v1/admin/overview', fn: 'admin', scope: 'admin', summary: 'Adoption of two-factor in the tenant', response: s.Overview, status: 200 }),
  route({ operationId: 'audit', method: 'GET', path: '/v1/admin/audit', fn: 'admin', scope: 'admin', summary: 'Admin actions and security events, newest first', query: s.AuditQuery, response: s.AuditList, status: 200, errors: ['invalid_request'] }),
] as const satisfies readonly RouteDefinition[];

export type Route = (typeof routes)[number];
export type OperationId = Route['operationId'];

/** API Gateway route key, e.g. `POST /v1/users/{userId}/factors`. */
export const routeKeyOf = (r: Pick<RouteDefinition, 'method' | 'path'>): string => `${r.method} ${r.path}`;

export const routesOf = (fn: RoutedFunction): RouteDefinition[] => routes.filter((r) => r.fn === fn);

/** API Gateway's catch-all route: answers unknown routes with the contract's 404. */
export const defaultRouteFunction: RoutedFunction = 'public';

/** Matches a concrete path against the table, as API Gateway does; path parameters decoded. */
export function matchRoute(
  method: string,
  path: string,
): { route: RouteDefinition; pathParameters: Record<string, string>; pathKnown: true } | { route: undefined; pathKnown: boolean } {
  let pathKnown = false;
  for (const r of routes as readonly RouteDefinition[]) {
    const params = matchPath(r.path, path);
    if (!params) continue;
    pathKnown = true;
    if (r.method === method) return { route: r, pathParameters: params, pathKnown: true };
  }
  return { route: undefined, pathKnown };
}

function matchPath(template: string, path: string): Record<string, string> | undefined {
  const t = template.split('/');
  const p = path.split('/');
  if (t.length !== p.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < t.length; i++) {
    const seg = t[i]!;
    const actual = p[i]!;
    if (seg.startsWith('{') && seg.endsWith('}')) {
      if (actual === '') return undefined;
      try {
        params[seg.slice(1, -1)] = decodeURIComponent(actual);
      } catch {
        return undefined;
      }
    } else if (seg !== actual) return undefined;
  }
  return params;
}
