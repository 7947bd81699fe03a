/**
 * Imported first by every bench entry point (ES modules evaluate in import order), so the
 * environment is set before any AWS SDK client is made.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

/** The environment for the processes the bench starts (dynalite, cold imports). */
export const childEnv = (): NodeJS.ProcessEnv => ({ ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' });
