/**
 * The HTTP API, made from the route table (packages/contract/src/routes.ts): one route per
 * entry, integrated with the function the entry names, behind the Lambda authorizer unless the
 * route is public; `$default` catches the rest with the contract's 404/405.
 *
 * The authorizer has no identity source and no cache. It always authorizes, passing
 * {tenantId, scope} for a valid key and nothing otherwise (functions/authorizer.ts); the
 * function then refuses a keyless request with the contract's 401 JSON body
 * (packages/runtime/src/http-function.ts). With an identity source, API Gateway would answer a
 * request without the header itself, 401 {"message":"Unauthorized"}, before either runs; and
 * a cache needs an identity source for its key. The CreateAuthorizer API reference: "For a
 * REQUEST authorizer, this is optional".
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpMethod, HttpRoute, HttpRouteKey, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { defaultRouteFunction, routes, type RoutedFunction } from '@twofold/contract/routes';

export interface RoutedApiProps {
  /** The routed functions, and the authorizer. */
  functions: Record<RoutedFunction | 'authorizer', IFunction>;
  throttle: { ratePerSecond: number; burst: number };
  logRetention: RetentionDays;
}

/** One line of JSON per request: who (tenant, IP), what (route, not the path: it holds user ids), how it went. */
const accessLogFields = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTimeEpoch',
  ip: '$context.identity.sourceIp',
  routeKey: '$context.routeKey',
  status: '$context.status',
  responseLength: '$context.responseLength',
  latencyMs: '$context.responseLatency',
  integrationLatencyMs: '$context.integrationLatency',
  tenantId: '$context.authorizer.tenantId',
  authorizerError: '$context.authorizer.error',
  integrationError: '$context.integrationErrorMessage',
};

export class RoutedApi extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;

  constructor(scope: Construct, id: string, props: RoutedApiProps) {
    super(scope, id);
    const integrations = new Map<RoutedFunction, HttpLambdaIntegration>();
    const integrationOf = (fn: RoutedFunction) => {
      let integration = integrations.get(fn);
      if (!integration) integrations.set(fn, (integration = new HttpLambdaIntegration(`${fn}-integration`, props.functions[fn])));
      return integration;
    };
    const authorizer = new HttpLambdaAuthorizer('ApiKey', props.functions.authorizer, {
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      identitySource: [],
      resultsCacheTtl: Duration.seconds(0),
    });

    this.api = new HttpApi(this, 'Api', { description: 'Twofold: two-factor authentication', createDefaultStage: false });

    for (const route of routes) {
      const r = new HttpRoute(this, route.operationId, {
        httpApi: this.api,
        routeKey: HttpRouteKey.with(route.path, HttpMethod[route.method]),
        integration: integrationOf(route.fn),
        ...(route.scope === 'public' ? {} : { authorizer }),
      });
      if (route.scope === 'public') {
        Validations.of(r).acknowledge({ id: 'AwsSolutions-APIG4', reason: `${route.method} ${route.path} is public by contract (scope: public): it serves no tenant data.` });
      }
    }
    const fallback = new HttpRoute(this, 'default', { httpApi: this.api, routeKey: HttpRouteKey.DEFAULT, integration: integrationOf(defaultRouteFunction) });
    Validations.of(fallback).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason: "$default only answers what no route matches, with the contract's 404 or 405: it reaches no tenant data.",
    });

    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: props.logRetention, removalPolicy: RemovalPolicy.DESTROY });
    this.stage = new HttpStage(this, 'Stage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.throttle.ratePerSecond, burstLimit: props.throttle.burst },
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs), format: AccessLogFormat.custom(JSON.stringify(accessLogFields)) },
    });
  }
}
