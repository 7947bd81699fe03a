/** The tenant's policy and its admins' operations. */
import { MAX_IMPORT_USERS } from '../schemas/imports';
import { AdminUserList, AdminUserQuery, ApiKeyList, ApiKeyPath, AuditList, AuditQuery, CreateApiKeyBody, CreatedApiKey, ImportBody, ImportResult, Overview, Policy, PolicyPatch, PolicyReplacement, RecoveryCodes, UserPath } from '../schemas';
import { route, type RouteDefinition } from '../route-definition';

export const adminRoutes = [
  route('getPolicy', { scope: 'app', summary: "The tenant's two-factor policy", response: Policy, status: 200 }),
  route('putPolicy', { scope: 'admin', summary: "Replace the tenant's policy (absent fields take their defaults; totp.issuer's is the tenant's name); applies from the next challenge", body: PolicyReplacement, response: Policy, status: 200, invalidBody: 'invalid_policy', errors: ['invalid_policy'] }),
  route('patchPolicy', { scope: 'admin', summary: "Change only the fields sent (JSON merge patch, RFC 7396); the result is checked like a PUT's", body: PolicyPatch, response: Policy, status: 200, invalidBody: 'invalid_policy', contentTypes: ['application/merge-patch+json', 'application/json'], errors: ['invalid_policy', 'unsupported_media_type'] }),
  route('listUsers', { scope: 'admin', summary: 'Users by status and role, a page at a time', query: AdminUserQuery, response: AdminUserList, status: 200 }),
  route('unlockUser', { scope: 'admin', summary: "Lift the user's lockout", params: UserPath, status: 204, errors: ['user_not_found'] }),
  route('resetUser', { scope: 'admin', summary: 'Remove every factor, recovery code and trusted device, and the lock: the user enrolls again', params: UserPath, status: 204, errors: ['user_not_found'] }),
  route('adminRegenerateRecoveryCodes', { scope: 'admin', summary: "Replace a user's recovery codes with a new set", params: UserPath, response: RecoveryCodes, status: 201, errors: ['user_not_found', 'not_enrolled'] }),
  route('overview', { scope: 'admin', summary: 'Adoption of two-factor in the tenant', response: Overview, status: 200 }),
  route('audit', { scope: 'admin', summary: 'Admin actions and security events, newest first', query: AuditQuery, response: AuditList, status: 200, errors: ['invalid_request'] }),
  route('listApiKeys', { scope: 'admin', summary: "The tenant's API keys (never the keys themselves)", response: ApiKeyList, status: 200 }),
  route('createApiKey', { scope: 'admin', summary: 'A new API key, shown only in this answer', body: CreateApiKeyBody, response: CreatedApiKey, status: 201 }),
  route('revokeApiKey', { scope: 'admin', summary: 'Revoke an API key: it stops working (within the API key cache time in other containers)', params: ApiKeyPath, status: 204, errors: ['api_key_not_found', 'last_admin_key'] }),
  route('importUsers', {
    scope: 'admin',
    summary: `Import users and the factors they already use elsewhere (at most ${MAX_IMPORT_USERS} a request; a body of up to 2 MiB): secrets sealed on arrival, factors active at once, a repeat changes nothing`,
    body: ImportBody,
    response: ImportResult,
    status: 200,
    maxBodyBytes: 2 * 1024 * 1024,
  }),
] as const satisfies readonly RouteDefinition[];
