/**
 * The admin console (packages/console) at GET /console and its assets: a function of its own so
 * that it may touch nothing (no table, no key; the page's calls go to the admin API with the
 * key the person enters) and so that the page's bytes stay out of the other functions' bundles.
 */
import { consoleRoutes } from '@twofold/contract/routes/console';
import { consoleFunction } from '@twofold/console/console-function';

export const handler = consoleFunction(consoleRoutes);
