/**
 * Imported first by every bench entry point (ES modules evaluate in import order), so the
 * environment is set before any AWS SDK client is made.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
// The functions' info lines (the scheduled job logs one per run) would land in the report;
// warnings and errors still show. A successful request logs nothing at info level either way.
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
// As `npm start` runs: no EMF metric lines in the report (in Lambda each request writes one or
// two to its log, a few microseconds of the function's time).
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';

/** The environment for the processes the bench starts (dynalite, cold imports). */
export const childEnv = (): NodeJS.ProcessEnv => ({ ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' });
