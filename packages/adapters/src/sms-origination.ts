/**
 * Who a text comes from, as the deployment's settings (infra/settings.ts, the construct's
 * checks), the functions' configuration (runtime/config.ts) and Twilio's credentials accept it:
 * one rule for all.
 */

/** An alphanumeric sender id (SNS `AWS.SNS.SMS.SenderID`): 1 to 11 letters and digits. */
export const SMS_SENDER_ID = /^[A-Za-z0-9]{1,11}$/;

/** An origination number in E.164 (ITU-T E.164: `+`, a country code not starting with 0, at most 15 digits in all). */
export const E164_NUMBER = /^\+[1-9]\d{4,14}$/;
