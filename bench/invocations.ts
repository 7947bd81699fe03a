/**
 * Lambda invocations per request, read from what `cdk deploy` would deploy: the HTTP API's
 * routes in the synthesized stateless template (bundling skipped). A route costs one invocation
 * for its integration's function, plus one for a Lambda authorizer in front of it (there is
 * none: the functions check API keys themselves, with a per-container cache).
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { readSettings } from '../infra/settings';
import { defineTwofold } from '../infra/twofold';

export interface InvocationResult {
  routes: number;
  authorizers: number;
  /** Fewest and most invocations any route's request costs. */
  min: number;
  max: number;
}

interface CfnJson {
  Type: string;
  Properties?: Record<string, unknown>;
}

export function invocationsPerRequest(): InvocationResult {
  process.env.CDK_VALIDATION = 'false';
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const { stateless } = defineTwofold(app, readSettings({}));
  const resources = Object.values(Template.fromStack(stateless).toJSON().Resources as Record<string, CfnJson>);
  const authorizers = resources.filter((r) => r.Type === 'AWS::ApiGatewayV2::Authorizer');
  const lambdaAuthorizers = authorizers.filter((a) => a.Properties?.AuthorizerType === 'REQUEST').length;
  const routes = resources.filter((r) => r.Type === 'AWS::ApiGatewayV2::Route');
  const perRoute = routes.map((r) => {
    const integration = r.Properties?.Target === undefined ? 0 : 1;
    const authorized = r.Properties?.AuthorizerId !== undefined && r.Properties?.AuthorizationType === 'CUSTOM' ? 1 : 0;
    return integration + authorized;
  });
  return { routes: routes.length, authorizers: lambdaAuthorizers, min: Math.min(...perRoute), max: Math.max(...perRoute) };
}
