/**
 * Who a text comes from, as the deployment's settings (infra/settings.ts, the construct's
 * checks), the functions' configuration (runtime/config.ts) and the SMS providers' credentials
 * (Twilio, Vonage) accept it: one rule for all.
 */

/** An alphanumeric sender id (SNS `AWS.SNS.SMS.SenderID`): 1 to 11 letters and digits. */
export const SMS_SENDER_ID = /^[A-Za-z0-9]{1,11}$/;

/** An origination number in E.164 (ITU-T E.164: `+`, a country code not starting with 0, at most 15 digits in all). */
export const E164_NUMBER = /^\+[1-9]\d{4,14}$/;

/**
 * Who a text from an SMS provider's API (Twilio, Vonage) comes from: an E.164 number or an
 * alphanumeric sender id, which these providers let hold spaces.
 */
export const isProviderSmsFrom = (from: string) => E164_NUMBER.test(from) || /^[A-Za-z0-9 ]{1,11}$/.test(from);
