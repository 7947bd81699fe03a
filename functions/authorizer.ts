/**
 * The API Gateway Lambda authorizer (HTTP API, payload 2.0, simple responses). It resolves the
 * API key to its tenant and scope. It always answers isAuthorized: true and leaves the refusal
 * to the function's middleware, because an HTTP API cannot give an authorizer's denial a body:
 * API Gateway would answer {"message":"Forbidden"} where the contract promises
 * 401 {"error":{"code":"unauthorized",...}}. A request without a valid key reaches the function
 * with an empty context, and the function refuses it before doing anything else.
 */
import type { APIGatewayRequestAuthorizerEventV2, APIGatewaySimpleAuthorizerWithContextResult } from 'aws-lambda';
import { containerOf, wire, type AuthorizerContext } from '@twofold/runtime';
import { authenticate } from '@twofold/runtime/parts';

const dependencies = containerOf(wire({ authenticate }));

export const handler = async (
  event: Pick<APIGatewayRequestAuthorizerEventV2, 'headers'>,
): Promise<APIGatewaySimpleAuthorizerWithContextResult<AuthorizerContext>> => {
  const caller = await dependencies().authenticate(event.headers?.authorization);
  return { isAuthorized: true, context: caller ?? {} };
};
