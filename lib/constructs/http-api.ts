import { Stack, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  HttpApi,
  HttpMethod,
  HttpRoute,
  HttpRouteKey,
  HttpStage,
  LogGroupLogDestination,
  PayloadFormatVersion,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ROUTES, routeKey, type RouteDefinition, type RouteTarget } from '../../lambdas/contract/routes.js';
import { DEFAULTS } from '../defaults.js';

/**
 * The access log line: request metadata only, nothing that can carry a secret.
 * - No query string: the status webhook URL carries the callback token as `?token=...`;
 *   `$context.path` and `$context.routeKey` are the path without it.
 * - No header: `sb-signing-secret` (webhooks) and SigV4 `Authorization` (read routes) travel there.
 * - No authorizer or identity field except the source IP: `$context.identity.accessKey`, caller and
 *   user ARNs identify IAM principals and have no place in a request log.
 */
export const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  sourceIp: '$context.identity.sourceIp',
  requestTime: '$context.requestTime',
  httpMethod: '$context.httpMethod',
  routeKey: '$context.routeKey',
  path: '$context.path',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  integrationLatency: '$context.integrationLatency',
  integrationErrorMessage: '$context.integrationErrorMessage',
} as const;

export interface SendblueHttpApiProps {
  /** The Lambda behind each route target of ROUTES (lambdas/contract/routes.ts). */
  readonly handlers: Readonly<Record<RouteTarget, IFunction>>;
  /**
   * Stage-wide steady-state rate limit, requests per second.
   * @default DEFAULTS.throttleRateLimit (50)
   */
  readonly throttleRateLimit?: number;
  /**
   * Stage-wide burst limit, requests.
   * @default DEFAULTS.throttleBurstLimit (100)
   */
  readonly throttleBurstLimit?: number;
  /**
   * Retention of the access log group.
   * @default DEFAULTS.logRetention (one month)
   */
  readonly accessLogRetention?: RetentionDays;
  /**
   * The API's name.
   * @default - the stack name
   */
  readonly apiName?: string;
}

/**
 * Regional HTTP API with exactly the routes of ROUTES on the `$default` stage (auto-deployed,
 * throttled, JSON access logs). `iam` routes require SigV4 (HttpIamAuthorizer); `webhook` routes
 * are open at the gateway because Sendblue cannot sign requests: the ingest handler checks the
 * `sb-signing-secret` header or the status token in constant time. `/health` is open on purpose.
 */
export class SendblueHttpApi extends Construct {
  readonly httpApi: HttpApi;
  readonly stage: HttpStage;
  readonly accessLogGroup: LogGroup;
  /** Route constructs by route key, e.g. `GET /groups/{group_id}`. */
  readonly routes: ReadonlyMap<string, HttpRoute>;

  constructor(scope: Construct, id: string, props: SendblueHttpApiProps) {
    super(scope, id);

    this.httpApi = new HttpApi(this, 'Api', {
      apiName: props.apiName ?? Stack.of(this).stackName,
      description: 'sendblue-groups: Sendblue webhooks and IAM-authorized read routes',
      // The stage is created below, with throttling and access logs.
      createDefaultStage: false,
    });

    this.accessLogGroup = new LogGroup(this, 'AccessLogs', {
      retention: props.accessLogRetention ?? DEFAULTS.logRetention,
      // Default removal policy (RETAIN): the request trail outlives the stack; retention still expires it.
    });

    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: {
        rateLimit: props.throttleRateLimit ?? DEFAULTS.throttleRateLimit,
        burstLimit: props.throttleBurstLimit ?? DEFAULTS.throttleBurstLimit,
      },
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogGroup),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });

    const integrations = new Map<RouteTarget, HttpLambdaIntegration>();
    const integrationFor = (target: RouteTarget): HttpLambdaIntegration => {
      let integration = integrations.get(target);
      if (!integration) {
        integration = new HttpLambdaIntegration(`${pascal(target)}Integration`, props.handlers[target], {
          payloadFormatVersion: PayloadFormatVersion.VERSION_2_0,
        });
        integrations.set(target, integration);
      }
      return integration;
    };
    const iamAuthorizer = new HttpIamAuthorizer();

    const routes = new Map<string, HttpRoute>();
    for (const definition of ROUTES) {
      const route = new HttpRoute(this, routeConstructId(definition), {
        httpApi: this.httpApi,
        routeKey: HttpRouteKey.with(definition.path, HttpMethod[definition.method]),
        integration: integrationFor(definition.target),
        authorizer: definition.auth === 'iam' ? iamAuthorizer : undefined,
      });
      if (definition.auth === 'webhook') {
        Validations.of(route).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason:
            'Sendblue webhooks cannot sign requests (no SigV4/JWT); the ingest Lambda authenticates every call ' +
            'with the sb-signing-secret header or the per-message status token, compared in constant time.',
        });
      } else if (definition.auth === 'none') {
        Validations.of(route).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: 'Public liveness probe: answers {"ok":true} and reads no data.',
        });
      }
      routes.set(routeKey(definition), route);
    }
    this.routes = routes;
  }

  /** `https://{api-id}.execute-api.{region}.amazonaws.com` (no trailing slash; `$default` stage). */
  get url(): string {
    return this.httpApi.apiEndpoint;
  }

  /** Full URL of a route path, which must be one of ROUTES. */
  urlOf(path: string): string {
    if (!ROUTES.some((route) => route.path === path)) throw new Error(`No route with path ${path} in ROUTES`);
    return `${this.url}${path}`;
  }
}

const pascal = (value: string): string => value.charAt(0).toUpperCase() + value.slice(1);

/** `GET /groups/{group_id}/messages` -> `GetGroupsGroupIdMessages`. */
function routeConstructId(route: RouteDefinition): string {
  const words = `${route.method.toLowerCase()} ${route.path}`.split(/[^A-Za-z0-9]+/).filter(Boolean);
  return words.map(pascal).join('');
}
