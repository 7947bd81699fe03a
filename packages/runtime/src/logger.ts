import { Logger } from '@aws-lambda-powertools/logger';

/** JSON logs via Powertools. Never pass a secret, a code, a key or a full phone number. */
export const logger = new Logger({ serviceName: 'twofold' });
