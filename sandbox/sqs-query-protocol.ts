/**
 * SQS's older Query protocol (form-encoded `Action=SendMessage&...`, XML answers) on the sandbox's
 * SQS endpoint, for the calls a producer makes. fauxqs speaks only the JSON protocol that current
 * SDKs use; Debian's boto3 1.26 / botocore 1.29, the Debian AWS CLI and other older SDKs speak
 * Query and were answered `InvalidAction` (fauxqs took the form for SNS). Each Query request is
 * turned into the JSON protocol request, answered by fauxqs itself (in-process), and its answer
 * written back as the XML SQS sends: results, batch failures and errors (with the Query error codes,
 * e.g. `AWS.SimpleQueueService.NonExistentQueue`, that older SDKs map to their exceptions).
 *
 * Translated: GetQueueUrl, SendMessage, SendMessageBatch, GetQueueAttributes. Any other SQS action
 * in Query form is answered with an XML `InvalidAction` that says to use the JSON protocol; form
 * requests that are not SQS actions (SNS) go on to fauxqs untouched.
 */
import { randomUUID } from 'node:crypto';
import type { buildApp } from 'fauxqs';

const XMLNS = 'http://queue.amazonaws.com/doc/2012-11-05/';

export const QUERY_ACTIONS = ['GetQueueUrl', 'SendMessage', 'SendMessageBatch', 'GetQueueAttributes'] as const;
type QueryAction = (typeof QUERY_ACTIONS)[number];

/** SQS's actions (API 2012-11-05): those not in QUERY_ACTIONS are refused in Query form, clearly. */
const SQS_ACTIONS = new Set<string>([
  ...QUERY_ACTIONS,
  'AddPermission',
  'CancelMessageMoveTask',
  'ChangeMessageVisibility',
  'ChangeMessageVisibilityBatch',
  'CreateQueue',
  'DeleteMessage',
  'DeleteMessageBatch',
  'DeleteQueue',
  'ListDeadLetterSourceQueues',
  'ListMessageMoveTasks',
  'ListQueueTags',
  'ListQueues',
  'PurgeQueue',
  'ReceiveMessage',
  'RemovePermission',
  'SetQueueAttributes',
  'StartMessageMoveTask',
  'TagQueue',
  'UntagQueue',
]);

export const isQueryAction = (action: string): action is QueryAction =>
  (QUERY_ACTIONS as readonly string[]).includes(action);
export const isSqsAction = (action: string): boolean => SQS_ACTIONS.has(action);

/** A request the translation refuses before fauxqs sees it (a parameter that is not one). */
export class QueryParameterError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

type Params = Record<string, string>;
type JsonAttribute = { DataType: string; StringValue?: string; BinaryValue?: string };

/** `<prefix>.<n>.<rest>` fields, grouped by n (in n's order). */
function numbered(params: Params, prefix: string): Params[] {
  const groups = new Map<number, Params>();
  const pattern = new RegExp(`^${prefix.replace(/\./g, '\\.')}\\.(\\d+)\\.(.+)$`);
  for (const [key, value] of Object.entries(params)) {
    const match = pattern.exec(key);
    if (!match) continue;
    const index = Number(match[1]);
    const group = groups.get(index) ?? {};
    group[match[2]!] = value;
    groups.set(index, group);
  }
  return [...groups.entries()].sort(([a], [b]) => a - b).map(([, group]) => group);
}

/** `MessageAttribute.N.Name` / `.Value.DataType` / `.Value.StringValue` / `.Value.BinaryValue` → the JSON map. */
function attributes(params: Params, prefix: string): Record<string, JsonAttribute> | undefined {
  const list = numbered(params, prefix);
  if (!list.length) return undefined;
  const map: Record<string, JsonAttribute> = {};
  for (const entry of list) {
    const name = entry.Name;
    const dataType = entry['Value.DataType'];
    if (!name || !dataType)
      throw new QueryParameterError('InvalidParameterValue', `${prefix} needs a Name and a Value.DataType`);
    map[name] = {
      DataType: dataType,
      ...(entry['Value.StringValue'] !== undefined ? { StringValue: entry['Value.StringValue'] } : {}),
      ...(entry['Value.BinaryValue'] !== undefined ? { BinaryValue: entry['Value.BinaryValue'] } : {}),
    };
  }
  return map;
}

function delaySeconds(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,4}$/.test(value))
    throw new QueryParameterError('InvalidParameterValue', 'DelaySeconds must be a whole number of seconds');
  return Number(value);
}

/** One message's fields (of SendMessage, or of one batch entry), as the JSON protocol names them. */
function messageFields(params: Params): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const key of ['MessageBody', 'MessageGroupId', 'MessageDeduplicationId', 'Id'])
    if (params[key] !== undefined) fields[key] = params[key];
  const delay = delaySeconds(params.DelaySeconds);
  if (delay !== undefined) fields.DelaySeconds = delay;
  const messageAttributes = attributes(params, 'MessageAttribute');
  if (messageAttributes) fields.MessageAttributes = messageAttributes;
  const systemAttributes = attributes(params, 'MessageSystemAttribute');
  if (systemAttributes) fields.MessageSystemAttributes = systemAttributes;
  return fields;
}

/**
 * The JSON protocol request for a Query request. `queueUrlFromPath`: older SDKs post to the queue's
 * own URL and leave QueueUrl out of the form.
 */
export function jsonRequestFor(
  action: QueryAction,
  params: Params,
  queueUrlFromPath?: string,
): Record<string, unknown> {
  const queueUrl = params.QueueUrl ?? queueUrlFromPath;
  const withQueue = queueUrl === undefined ? {} : { QueueUrl: queueUrl };
  switch (action) {
    case 'GetQueueUrl':
      return {
        QueueName: params.QueueName,
        ...(params.QueueOwnerAWSAccountId ? { QueueOwnerAWSAccountId: params.QueueOwnerAWSAccountId } : {}),
      };
    case 'SendMessage':
      return { ...withQueue, ...messageFields(params) };
    case 'SendMessageBatch':
      return { ...withQueue, Entries: numbered(params, 'SendMessageBatchRequestEntry').map(messageFields) };
    case 'GetQueueAttributes': {
      const names = Object.entries(params)
        .filter(([key]) => /^AttributeName\.\d+$/.test(key))
        .sort(([a], [b]) => Number(a.split('.')[1]) - Number(b.split('.')[1]))
        .map(([, value]) => value);
      return { ...withQueue, AttributeNames: names.length ? names : ['All'] };
    }
  }
}

const escapeXml = (value: unknown): string =>
  String(value)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;');

/** `<Name>value</Name>` for each field present, in the given order. */
const elements = (source: Record<string, unknown>, names: string[]): string =>
  names
    .filter((name) => source[name] !== undefined && source[name] !== null)
    .map((name) => `<${name}>${escapeXml(source[name])}</${name}>`)
    .join('');

function resultXml(action: QueryAction, answer: Record<string, unknown>): string {
  switch (action) {
    case 'GetQueueUrl':
      return elements(answer, ['QueueUrl']);
    case 'SendMessage':
      return elements(answer, [
        'MD5OfMessageBody',
        'MD5OfMessageAttributes',
        'MD5OfMessageSystemAttributes',
        'MessageId',
        'SequenceNumber',
      ]);
    case 'SendMessageBatch': {
      const successful = (answer.Successful as Record<string, unknown>[] | undefined) ?? [];
      const failed = (answer.Failed as Record<string, unknown>[] | undefined) ?? [];
      return [
        ...successful.map(
          (entry) =>
            `<SendMessageBatchResultEntry>${elements(entry, [
              'Id',
              'MessageId',
              'MD5OfMessageBody',
              'MD5OfMessageAttributes',
              'MD5OfMessageSystemAttributes',
              'SequenceNumber',
            ])}</SendMessageBatchResultEntry>`,
        ),
        ...failed.map(
          (entry) =>
            `<BatchResultErrorEntry>${elements(entry, ['Id', 'SenderFault', 'Code', 'Message'])}</BatchResultErrorEntry>`,
        ),
      ].join('');
    }
    case 'GetQueueAttributes':
      return Object.entries((answer.Attributes as Record<string, string> | undefined) ?? {})
        .map(
          ([name, value]) => `<Attribute><Name>${escapeXml(name)}</Name><Value>${escapeXml(value)}</Value></Attribute>`,
        )
        .join('');
  }
}

export interface QueryAnswer {
  status: number;
  xml: string;
}

/** SQS's XML error, as a Query client parses it (`Error/Code` is what becomes the exception). */
export function queryError(
  status: number,
  code: string,
  message: string,
  fault = status < 500 ? 'Sender' : 'Receiver',
): QueryAnswer {
  return {
    status,
    xml: `<?xml version="1.0"?><ErrorResponse xmlns="${XMLNS}"><Error><Type>${fault}</Type><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message><Detail/></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
  };
}

/**
 * fauxqs's JSON answer as the Query protocol's XML. Errors keep their status; the code is the
 * Query one from `x-amzn-query-error` (`AWS.SimpleQueueService.NonExistentQueue;Sender`), else
 * the JSON `__type`'s name.
 */
export function queryAnswerFor(
  action: QueryAction,
  status: number,
  body: string,
  queryErrorHeader?: string,
): QueryAnswer {
  let answer: Record<string, unknown> = {};
  try {
    answer = body ? (JSON.parse(body) as Record<string, unknown>) : {};
  } catch {
    return queryError(500, 'InternalError', 'the SQS emulator gave an answer that is not JSON');
  }
  if (status >= 300) {
    const [headerCode, headerFault] = (queryErrorHeader ?? '').split(';');
    const code = headerCode || String(answer.__type ?? 'InternalError').replace(/^.*#/, '');
    const message = String(answer.message ?? answer.Message ?? 'the request failed');
    return queryError(status, code, message, headerFault || undefined);
  }
  return {
    status,
    xml: `<?xml version="1.0"?><${action}Response xmlns="${XMLNS}"><${action}Result>${resultXml(action, answer)}</${action}Result><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`,
  };
}

type EmulatorApp = ReturnType<typeof buildApp>;
type Request = { method: string; url: string; headers: Record<string, string | string[] | undefined>; body: unknown };

/** Answers SQS Query requests on the emulator (see the top of this file). */
export function acceptQueryProtocol(app: EmulatorApp): void {
  app.addHook('preHandler', async (request, reply) => {
    const contentType = String(request.headers['content-type'] ?? '');
    if (request.method !== 'POST' || !contentType.includes('application/x-www-form-urlencoded')) return;
    const params = request.body as Params | undefined;
    const action = params?.Action;
    if (typeof action !== 'string' || !isSqsAction(action)) return; // SNS and the rest: fauxqs's own.
    const answer = await answerQuery(app, action, params!, request);
    reply.code(answer.status).header('content-type', 'text/xml').send(answer.xml);
    return reply;
  });
}

async function answerQuery(app: EmulatorApp, action: string, params: Params, request: Request): Promise<QueryAnswer> {
  if (!isQueryAction(action))
    return queryError(
      400,
      'InvalidAction',
      `The sandbox's SQS takes ${action} in the JSON protocol only (current AWS SDKs); in the Query protocol it takes ${QUERY_ACTIONS.join(', ')}.`,
    );
  const path = request.url.split('?')[0] ?? '/';
  const host = String(request.headers.host ?? '127.0.0.1');
  let jsonRequest: Record<string, unknown>;
  try {
    jsonRequest = jsonRequestFor(action, params, path === '/' ? undefined : `http://${host}${path}`);
  } catch (error) {
    if (error instanceof QueryParameterError) return queryError(400, error.code, error.message);
    throw error;
  }
  const response = await app.inject({
    method: 'POST',
    url: '/',
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `AmazonSQS.${action}`, host },
    payload: JSON.stringify(jsonRequest),
  });
  const header = response.headers['x-amzn-query-error'];
  return queryAnswerFor(action, response.statusCode, response.body, typeof header === 'string' ? header : undefined);
}
