/**
 * The hosted prompt: the app's server starts one and exchanges its code (JSON, app key), and the
 * browser goes through its pages (HTML, packages/prompt) between. Wiring only: the use cases are
 * core/login/prompts.ts, which calls the challenge, verification and enrollment use cases.
 */
import { createPrompt, exchangePromptCode } from '@twofold/core';
import { promptApiRoutes, promptPageRoutes } from '@twofold/contract/routes/prompt';
import { routeKeyOf } from '@twofold/contract/route-definition';
import { containerOf, httpFunction, wire, type HttpEvent } from '@twofold/runtime';
import { requestOrigin } from '@twofold/runtime/request-origin';
import { admitTenant, assertions, authenticate, challenges, clock, devices, email, keyRing, outbox, prompts, publisher, random, sendLimits, sms, stats, tenant, throttle, users } from '@twofold/runtime/parts';
import { promptPages } from '@twofold/prompt';
import { fail } from '@twofold/core/errors';
import type { Context } from 'aws-lambda';

// the parts the prompt's use cases take: challenges (throttle, senders, devices), verification (assertions), enrollment, its own store
const wiring = wire({ authenticate, admitTenant, clock, random, tenant, users, stats, challenges, devices, keyRing, assertions, outbox, publisher, throttle, sendLimits, sms, email, prompts });

const api = httpFunction(promptApiRoutes, wiring, {
  createPrompt: ({ deps, caller, body, event }) => createPrompt(deps, caller.tenantId, body, requestOrigin(event) ?? fail('invalid_request', 'The request names no host.')),
  exchangePromptCode: ({ deps, caller, body }) => exchangePromptCode(deps, caller.tenantId, body),
});

const pages = promptPages(promptPageRoutes, containerOf(wiring));
const pageKeys = new Set(promptPageRoutes.map(routeKeyOf));

export const handler = (event: HttpEvent, context: Context) => (pageKeys.has(event.routeKey) ? pages(event) : api(event, context));
