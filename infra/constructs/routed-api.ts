/**
 * The HTTP API, made from the route table (packages/contract/src/routes.ts): one route per
 * entry, integrated with the function the entry names; `$default` catches the rest with the
 * contract's 404/405. Optionally on a custom domain of the operator's.
 *
 * No authorizer: each function checks the caller's API key itself (packages/runtime, with a
 * per-container cache), so a request costs one Lambda invocation, and a missing or wrong key
 * gets the contract's 401/403 JSON body (a Lambda authorizer's denial could only answer
 * API Gateway's own {"message":"Forbidden"}). The routes are open at the API Gateway level by
 * design; what a function may read for a key is its IAM role (infra/function-needs.ts).
 */
import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { ApiMapping, DomainName, HttpApi, HttpMethod, HttpRoute, HttpRouteKey, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ICertificate } from 'aws-cdk-lib/aws-certificatemanager';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { ARecord, AaaaRecord, RecordTarget, type IHostedZone } from 'aws-cdk-lib/aws-route53';
import { ApiGatewayv2DomainProperties } from 'aws-cdk-lib/aws-route53-targets';
import { Construct } from 'constructs';
import { defaultRouteFunction, routes, type RoutedFunction } from '@twofold/contract/routes';

/** A custom domain for the API: the certificate (ACM, same region) covers it; with a hosted zone, the alias records are made too. */
export interface ApiDomain {
  readonly domainName: string;
  readonly certificate: ICertificate;
  readonly hostedZone?: IHostedZone;
}

export interface RoutedApiProps {
  /** The routed functions. */
  functions: Record<RoutedFunction, IFunction>;
  throttle: { ratePerSecond: number; burst: number };
  logRetention: RetentionDays;
  domain?: ApiDomain;
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
  integrationError: '$context.integrationErrorMessage',
};

export class RoutedApi extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  /** The API's address: the custom domain when there is one. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: RoutedApiProps) {
    super(scope, id);
    const integrations = new Map<RoutedFunction, HttpLambdaIntegration>();
    const integrationOf = (fn: RoutedFunction) => {
      let integration = integrations.get(fn);
      if (!integration) integrations.set(fn, (integration = new HttpLambdaIntegration(`${fn}-integration`, props.functions[fn])));
      return integration;
    };
    this.api = new HttpApi(this, 'Api', { description: 'Twofold: two-factor authentication', createDefaultStage: false });

    for (const route of routes) {
      const r = new HttpRoute(this, route.operationId, {
        httpApi: this.api,
        routeKey: HttpRouteKey.with(route.path, HttpMethod[route.method]),
        integration: integrationOf(route.fn),
      });
      Validations.of(r).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          route.scope === 'public'
            ? `${route.method} ${route.path} is public by contract (scope: public): it serves no tenant data.`
            : `${route.method} ${route.path} checks its API key in the function (one invocation per request, the contract's 401/403 bodies); no API Gateway authorizer by design.`,
      });
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

    this.url = this.stage.url;
    if (props.domain) {
      const { domainName, certificate, hostedZone } = props.domain;
      const domain = new DomainName(this, 'Domain', { domainName, certificate });
      new ApiMapping(this, 'DomainMapping', { api: this.api, domainName: domain, stage: this.stage });
      if (hostedZone) {
        const target = RecordTarget.fromAlias(new ApiGatewayv2DomainProperties(domain.regionalDomainName, domain.regionalHostedZoneId));
        new ARecord(this, 'DomainAlias', { zone: hostedZone, recordName: domainName, target });
        new AaaaRecord(this, 'DomainAliasIpv6', { zone: hostedZone, recordName: domainName, target });
      }
      this.url = `https://${domainName}/`;
    }
  }
}
