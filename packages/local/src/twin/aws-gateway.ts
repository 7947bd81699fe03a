/**
 * Where the twin's functions reach "AWS": one HTTP endpoint (their AWS_ENDPOINT_URL) that takes
 * every AWS SDK call, finds who makes it from the SigV4 credential (each function runs with an
 * access key of its own), has IAM evaluate it (./iam.ts), and only then hands it to the local
 * stand-in: the DynamoDB engine, the twin's KMS, the SMS outbox (SNS), the event log
 * (EventBridge) or the SES emulator. A denied call fails as AWS fails it (AccessDeniedException,
 * HTTP 400 for the JSON services) and is logged on one line naming the function, the action, the
 * resource and what the policy lacks.
 */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SecurityEvent } from '@twofold/contract';
import type { LocalEventLog, LocalSmsOutbox } from '@twofold/adapters';
import { TWIN_ACCOUNT, type PolicyDocument, type TwinDeployment } from './assembly';
import { DynamoAuthorization, eventsRequests, firstDenial, kmsRequest, secretsRequest, sesSendRequests, snsPublishRequest, type AuthorizationRequest, type Denial, type Principal } from './iam';
import { KmsError, type TwinKms } from './kms';

/** Who calls: a function (its role is evaluated) or the operator (the twin itself, as an account admin would: not evaluated). */
export type Caller = { kind: 'function'; name: string; principal: Principal } | { kind: 'operator' };

export interface AwsGatewayOptions {
  deployment: TwinDeployment;
  callers: Map<string, Caller>;
  dynamoEndpoint: string;
  kms: TwinKms;
  sms: LocalSmsOutbox;
  events: LocalEventLog;
  sesEndpoint: string;
  /** One line for each denied call. */
  onDenied: (line: string) => void;
}

/**
 * One authorization decision the gateway made for a function's call: allowed when the requests of
 * any one alternative are all allowed (an SES send may be authorized on the address's identity or
 * on its domain's; every other call has one alternative).
 */
export interface RecordedDecision {
  caller: string;
  alternatives: AuthorizationRequest[][];
  allowed: boolean;
}

export interface AwsGateway {
  endpoint: string;
  /** Denied calls so far, oldest first. */
  denials: { caller: string; denial: Denial }[];
  /**
   * Records every authorization decision from now on, until stop() (off otherwise: the twin of
   * `npm run twin` keeps none). The mutation check evaluates a scenario's calls again offline.
   */
  record(): { decisions: RecordedDecision[]; stop(): void };
  /** Evaluates a recorded decision again with other policies: the first denial, or undefined when it would be allowed. */
  evaluate(principal: Principal, decision: RecordedDecision): Promise<Denial | undefined>;
  stop(): Promise<void>;
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
}

const json = (status: number, body: unknown, type = 'application/x-amz-json-1.0'): Answer => ({ status, headers: { 'content-type': type }, body: JSON.stringify(body) });
const awsJsonError = (status: number, type: string, message: string, contentType?: string): Answer => ({
  ...json(status, { __type: type, message }, contentType),
  headers: { 'content-type': contentType ?? 'application/x-amz-json-1.0', 'x-amzn-errortype': type },
});

/** What the SigV4 Authorization header says: the access key and the service it signed for. */
function credentialOf(header: string | undefined): { accessKeyId: string; service: string } | undefined {
  const m = /Credential=([^/]+)\/[^/]+\/[^/]+\/([^/]+)\/aws4_request/.exec(header ?? '');
  return m?.[1] && m[2] ? { accessKeyId: m[1], service: m[2] } : undefined;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startAwsGateway(options: AwsGatewayOptions): Promise<AwsGateway> {
  const { deployment, callers, kms } = options;
  const dynamo = new DynamoAuthorization(deployment.tables);
  const denials: AwsGateway['denials'] = [];
  const keyPolicyOf = (resource: string): PolicyDocument | undefined => deployment.keys.find((k) => k.arn === resource)?.policy;

  /** The first request the caller may not make, or undefined (the operator may make any). */
  const check = (caller: Caller, requests: AuthorizationRequest[]) => (caller.kind === 'operator' ? Promise.resolve(undefined) : firstDenial(caller.principal, requests, keyPolicyOf));
  const recorders = new Set<RecordedDecision[]>();
  const note = (caller: Caller, alternatives: AuthorizationRequest[][], allowed: boolean) => {
    if (caller.kind === 'function') for (const decisions of recorders) decisions.push({ caller: caller.name, alternatives, allowed });
  };
  /** Allowed when one alternative is allowed whole; otherwise the last alternative's denial. */
  const evaluate = async (principal: Principal, alternatives: AuthorizationRequest[][]): Promise<Denial | undefined> => {
    const outcomes = await Promise.all(alternatives.map((requests) => firstDenial(principal, requests, keyPolicyOf)));
    return outcomes.includes(undefined) ? undefined : outcomes.at(-1);
  };

  /** undefined when allowed; the AWS error to answer otherwise (and the denial logged). */
  async function authorize(caller: Caller, requests: AuthorizationRequest[], deny: (message: string) => Answer): Promise<Answer | undefined> {
    if (caller.kind === 'operator') return undefined;
    const denial = await check(caller, requests);
    note(caller, [requests], denial === undefined);
    return denial ? refuse(caller, denial, deny) : undefined;
  }

  function refuse(caller: Caller & { kind: 'function' }, denial: Denial, deny: (message: string) => Answer): Answer {
    denials.push({ caller: caller.name, denial });
    const { action, resource, context } = denial.request;
    const conditions = Object.entries(context)
      .filter(([k]) => !k.startsWith('aws:') && k !== 'kms:CallerAccount')
      .map(([k, v]) => `${k}=${[v].flat().join(',')}`)
      .join(' ');
    options.onDenied(`AccessDenied ${caller.name}: ${action} on ${resource}${conditions ? ` (${conditions})` : ''}: no statement of the function's role allows it (${denial.result}); add ${action} on that resource to its policy`);
    const session = `arn:aws:sts::${TWIN_ACCOUNT}:assumed-role/${caller.principal.arn.split('/').pop() ?? ''}/${caller.name}`;
    return deny(`User: ${session} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`);
  }

  async function dynamoCall(caller: Caller, req: IncomingMessage, body: Buffer): Promise<Answer> {
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.split('.')[1] ?? '';
    let requests: AuthorizationRequest[];
    try {
      requests = dynamo.requestsOf(operation, JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>);
    } catch (error) {
      if (caller.kind === 'operator') requests = [];
      else return awsJsonError(400, 'com.amazonaws.dynamodb.v20120810#ResourceNotFoundException', `Requested resource not found: ${error instanceof Error ? error.message : ''}`);
    }
    const denied = await authorize(caller, requests, (m) => awsJsonError(400, 'com.amazon.coral.service#AccessDeniedException', m));
    if (denied) return denied;
    const forwarded = await fetch(options.dynamoEndpoint, {
      method: 'POST',
      headers: { 'content-type': String(req.headers['content-type'] ?? 'application/x-amz-json-1.0'), 'x-amz-target': target, authorization: String(req.headers.authorization ?? ''), 'x-amz-date': String(req.headers['x-amz-date'] ?? '') },
      body: new Uint8Array(body),
    });
    const headers: Record<string, string> = {};
    forwarded.headers.forEach((v, k) => {
      if (k === 'content-type' || k.startsWith('x-amz')) headers[k] = v;
    });
    return { status: forwarded.status, headers, body: Buffer.from(await forwarded.arrayBuffer()) };
  }

  async function kmsCall(caller: Caller, req: IncomingMessage, body: Buffer): Promise<Answer> {
    const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
    const input = JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>;
    const type = 'application/x-amz-json-1.1';
    try {
      const keyArn = operation === 'Decrypt' ? kms.keyOfCiphertext(Buffer.from(String(input.CiphertextBlob ?? ''), 'base64')).arn : kms.keyOf(String(input.KeyId ?? '')).arn;
      const denied = await authorize(caller, [kmsRequest(operation, keyArn, input)], (m) => awsJsonError(400, 'AccessDeniedException', m, type));
      if (denied) return denied;
      return json(200, kms.handle(operation, input), type);
    } catch (error) {
      if (error instanceof KmsError) return awsJsonError(400, error.type, error.message, type);
      throw error;
    }
  }

  async function eventsCall(caller: Caller, req: IncomingMessage, body: Buffer): Promise<Answer> {
    const type = 'application/x-amz-json-1.1';
    const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
    if (operation !== 'PutEvents') return awsJsonError(400, 'ValidationException', `${operation} is not served by the twin's EventBridge`, type);
    const input = JSON.parse(body.toString('utf8') || '{}') as { Entries?: { EventBusName?: string; Source?: string; DetailType?: string; Detail?: string }[] };
    const entries = input.Entries ?? [];
    const denied = await authorize(caller, eventsRequests(entries), (m) => awsJsonError(400, 'AccessDeniedException', m, type));
    if (denied) return denied;
    const busNames = new Set(deployment.buses.flatMap((b) => [b.name, b.arn]));
    const results = entries.map((e) => (busNames.has(e.EventBusName ?? 'default') ? { EventId: randomUUID() } : { ErrorCode: 'ResourceNotFoundException', ErrorMessage: `Event bus ${e.EventBusName ?? 'default'} does not exist.` }));
    const taken = entries.filter((_, i) => results[i]?.EventId).map((e) => JSON.parse(e.Detail ?? '{}') as SecurityEvent);
    if (taken.length > 0) await options.events.publish(taken);
    return json(200, { FailedEntryCount: results.filter((r) => r.ErrorCode).length, Entries: results }, type);
  }

  async function snsCall(caller: Caller, req: IncomingMessage, body: Buffer): Promise<Answer> {
    const isJson = String(req.headers['content-type'] ?? '').includes('json');
    const input: Record<string, string> = isJson ? (JSON.parse(body.toString('utf8') || '{}') as Record<string, string>) : Object.fromEntries(new URLSearchParams(body.toString('utf8')));
    const operation = isJson ? (String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '') : (input.Action ?? '');
    const queryError = (status: number, code: string, message: string): Answer => ({
      status,
      headers: { 'content-type': 'text/xml' },
      body: `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
    });
    const deny = (m: string) => (isJson ? awsJsonError(403, 'AuthorizationError', m) : queryError(403, 'AuthorizationError', m));
    if (operation !== 'Publish') return isJson ? awsJsonError(400, 'InvalidParameter', `${operation} is not served by the twin's SNS`) : queryError(400, 'InvalidParameter', `${operation} is not served by the twin's SNS`);
    const denied = await authorize(caller, [snsPublishRequest(input)], deny);
    if (denied) return denied;
    if (!input.PhoneNumber) return queryError(400, 'InvalidParameter', 'the twin delivers texts to phone numbers only');
    await options.sms.send({ to: input.PhoneNumber, body: input.Message ?? '' });
    const messageId = randomUUID();
    if (isJson) return json(200, { MessageId: messageId });
    return { status: 200, headers: { 'content-type': 'text/xml' }, body: `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>${messageId}</MessageId></PublishResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></PublishResponse>` };
  }

  async function sesCall(caller: Caller, req: IncomingMessage, body: Buffer): Promise<Answer> {
    const restError = (status: number, type: string, message: string): Answer => ({ status, headers: { 'content-type': 'application/json', 'x-amzn-errortype': type }, body: JSON.stringify({ message }) });
    if (req.method === 'POST' && (req.url ?? '').startsWith('/v2/email/outbound-emails') && caller.kind === 'function') {
      const { identities, configurationSet } = sesSendRequests(JSON.parse(body.toString('utf8') || '{}') as Parameters<typeof sesSendRequests>[0]);
      // either identity (the address's or its domain's) may be the one that sends; the configuration set must be allowed as well
      const alternatives = identities.map((identity) => [identity, ...(configurationSet ? [configurationSet] : [])]);
      // the denial reported is the domain identity's, the one a policy would name
      const denial = await evaluate(caller.principal, alternatives);
      note(caller, alternatives, denial === undefined);
      if (denial) return refuse(caller, denial, (m) => restError(403, 'AccessDeniedException', m));
    }
    const forwarded = await fetch(`${options.sesEndpoint}${req.url ?? '/'}`, { method: req.method ?? 'POST', headers: { 'content-type': String(req.headers['content-type'] ?? 'application/json'), authorization: String(req.headers.authorization ?? ''), 'x-amz-date': String(req.headers['x-amz-date'] ?? '') }, ...(body.length ? { body: new Uint8Array(body) } : {}) });
    const answerBody = Buffer.from(await forwarded.arrayBuffer());
    return { status: forwarded.status, headers: { 'content-type': forwarded.headers.get('content-type') ?? 'application/json' }, body: answerBody };
  }

  async function secretsCall(caller: Caller, req: IncomingMessage, body: Buffer): Promise<Answer> {
    const type = 'application/x-amz-json-1.1';
    const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
    const input = JSON.parse(body.toString('utf8') || '{}') as { SecretId?: string };
    const denied = await authorize(caller, [secretsRequest(operation, input.SecretId ?? '')], (m) => awsJsonError(400, 'AccessDeniedException', m, type));
    if (denied) return denied;
    return awsJsonError(400, 'ResourceNotFoundException', "Secrets Manager can't find the specified secret (the twin holds no secrets)", type);
  }

  const services: Record<string, (caller: Caller, req: IncomingMessage, body: Buffer) => Promise<Answer>> = {
    dynamodb: dynamoCall,
    kms: kmsCall,
    events: eventsCall,
    sns: snsCall,
    ses: sesCall,
    secretsmanager: secretsCall,
  };

  async function answer(req: IncomingMessage): Promise<Answer> {
    const body = await readBody(req);
    const credential = credentialOf(req.headers.authorization);
    const caller = credential ? callers.get(credential.accessKeyId) : undefined;
    if (!credential || !caller) return awsJsonError(400, 'UnrecognizedClientException', 'The security token included in the request is invalid.');
    const service = services[credential.service];
    if (!service) return awsJsonError(400, 'UnknownOperationException', `the twin serves no ${credential.service}`);
    return service(caller, req, body);
  }

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    answer(req)
      .then((a) => {
        res.writeHead(a.status, a.headers);
        res.end(a.body);
      })
      .catch((error: unknown) => {
        console.error('twin AWS gateway error', error);
        res.writeHead(500, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-errortype': 'InternalServerError' });
        res.end(JSON.stringify({ __type: 'InternalServerError', message: 'the twin failed to serve the call' }));
      });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    denials,
    record() {
      const decisions: RecordedDecision[] = [];
      recorders.add(decisions);
      return {
        decisions,
        stop: () => {
          recorders.delete(decisions);
        },
      };
    },
    evaluate: (principal, decision) => evaluate(principal, decision.alternatives),
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
