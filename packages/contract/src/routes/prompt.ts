/**
 * The hosted prompt: a client app's server starts one and exchanges its code; the browser runs
 * the pages between (server-rendered HTML on this origin, no key: the prompt's id is the capability,
 * bound to the browser that opened it first).
 */
import { CreatePromptBody, PromptCreated, PromptForm, PromptPath, PromptToken, PromptTokenBody } from '../schemas';
import { route, type RouteDefinition } from '../route-definition';

/** The app's server's calls (JSON, with the app key). */
export const promptApiRoutes = [
  route('createPrompt', { scope: 'app', summary: 'Start a hosted prompt: Twofold\'s pages run the second step (or setup, or managing methods) and redirect back with a code', body: CreatePromptBody, response: PromptCreated, status: 201, errors: ['invalid_redirect_uri'] }),
  route('exchangePromptCode', { scope: 'app', summary: "Exchange a prompt's code and its PKCE verifier for the signed assertion", body: PromptTokenBody, response: PromptToken, status: 200, errors: ['invalid_grant'] }),
] as const satisfies readonly RouteDefinition[];

/** The pages the browser goes through (HTML, no key). */
export const promptPageRoutes = [
  route('promptPage', { scope: 'public', summary: "The hosted prompt's page (HTML)", params: PromptPath, status: 200, content: 'text/html', errors: ['prompt_not_found', 'prompt_expired'] }),
  route('promptAction', { scope: 'public', summary: "A form of the hosted prompt's page, posted (HTML, or a redirect)", params: PromptPath, body: PromptForm, status: 200, content: 'text/html', contentTypes: ['application/x-www-form-urlencoded'], errors: ['prompt_not_found', 'prompt_expired'] }),
] as const satisfies readonly RouteDefinition[];

export const promptRoutes = [...promptApiRoutes, ...promptPageRoutes] as const satisfies readonly RouteDefinition[];
