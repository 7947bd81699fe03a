/** Users, factors, recovery codes and turning two-factor off. */
import { ConfirmFactorBody, CreateFactorBody, FactorEnrollment, FactorList, FactorPath, FactorVerified, PutUserBody, RecoveryCodes, RecoveryCodesRemaining, User, UserPath } from '../schemas';
import { route, type RouteDefinition } from '../route-definition';

export const enrollmentRoutes = [
  route('putUser', { scope: 'app', summary: 'Create or update a user', params: UserPath, body: PutUserBody, response: User, status: 200, errors: ['invalid_phone_number'] }),
  route('getUser', { scope: 'app', summary: "A user's two-factor status", params: UserPath, response: User, status: 200, errors: ['user_not_found'] }),
  route('deleteUser', { scope: 'app', summary: 'Erase the user and everything of theirs (their audit entries too, but one user.deleted)', params: UserPath, status: 204, errors: ['user_not_found'] }),
  route('disableTwoFactor', { scope: 'app', summary: 'Remove every factor, recovery code and trusted device of the user', params: UserPath, status: 204, fresh: 'required', errors: ['user_not_found', 'fresh_verification_required'] }),
  route('createFactor', { scope: 'app', summary: 'Start enrolling a factor', params: UserPath, body: CreateFactorBody, response: FactorEnrollment, status: 201, errors: ['too_many_factors', 'method_not_available', 'sms_not_configured', 'email_not_configured', 'invalid_phone_number', 'phone_number_not_allowed', 'duplicate_destination', 'rate_limited', 'delivery_failed'] }),
  route('listFactors', { scope: 'app', summary: "The user's factors", params: UserPath, response: FactorList, status: 200, errors: ['user_not_found'] }),
  route('verifyFactor', { scope: 'app', summary: 'Confirm a factor with a code (or, for webauthn, the registration response)', params: FactorPath, body: ConfirmFactorBody, response: FactorVerified, status: 200, errors: ['factor_not_found', 'invalid_code', 'invalid_credential', 'factor_already_active', 'enrollment_expired'] }),
  route('deleteFactor', { scope: 'app', summary: 'Remove a factor', params: FactorPath, status: 204, fresh: 'required', errors: ['factor_not_found', 'fresh_verification_required'] }),
  route('getRecoveryCodes', { scope: 'app', summary: 'How many recovery codes are left (and, with a fresh verification, which)', params: UserPath, response: RecoveryCodesRemaining, status: 200, fresh: 'optional', errors: ['user_not_found'] }),
  route('regenerateRecoveryCodes', { scope: 'app', summary: 'Replace the recovery codes with a new set', params: UserPath, response: RecoveryCodes, status: 201, fresh: 'required', errors: ['user_not_found', 'not_enrolled', 'fresh_verification_required'] }),
] as const satisfies readonly RouteDefinition[];
