/**
 * The JSON shapes Sendblue answers and posts, built from a stored message or group
 * (docs/sendblue-api.md: send answer, receive/status payload fields, v2 group).
 */
import type { SimGroup, SimMessage } from './types.js';

/** The message record of POST /api/send-group-message and GET /api/status. */
export function messageRecord(message: SimMessage, accountEmail: string, withGroupId = true): Record<string, unknown> {
  return {
    account_email: accountEmail,
    message_handle: message.message_handle,
    status: message.status,
    content: message.content,
    media_url: message.media_url,
    from_number: message.from_number,
    date_sent: message.date_sent,
    date_created: message.date_created,
    date_updated: message.date_updated,
    is_outbound: message.is_outbound,
    message_type: 'group',
    ...(withGroupId ? { group_id: message.group_id } : {}),
    number: message.is_outbound ? [...message.participants] : message.from_number,
    send_style: message.send_style,
    ...(message.reply_to ? { reply_to: { ...message.reply_to } } : {}),
    error_code: null,
    error_message: null,
  };
}

/**
 * The webhook payload (receive webhook for inbound, status callback for outbound); also the
 * shape of `data` in GET /api/v2/messages and /api/v2/messages/{id}.
 */
export function messagePayload(message: SimMessage, accountEmail: string): Record<string, unknown> {
  // Outbound group messages name one recipient in number/to_number, as Sendblue's status callbacks
  // do: one it was delivered to (a member who opted out gets a DECLINED callback of their own).
  const recipient = message.is_outbound
    ? (message.participants.find((member) => !message.declined?.includes(member)) ?? message.participants[0] ?? '')
    : message.from_number;
  return {
    accountEmail,
    content: message.content,
    is_outbound: message.is_outbound,
    status: message.status,
    error_code: null,
    error_message: null,
    error_reason: null,
    error_detail: null,
    message_handle: message.message_handle,
    date_sent: message.date_sent,
    date_updated: message.date_updated,
    from_number: message.from_number,
    number: recipient,
    to_number: message.is_outbound ? recipient : message.line,
    was_downgraded: false,
    plan: 'blue',
    media_url: message.media_url,
    message_type: 'group',
    group_id: message.group_id,
    // Like Sendblue (see the receive fixture): every member of the group, our own line(s) included.
    participants: [...message.participants, ...(message.lines.length ? message.lines : [message.line])],
    send_style: message.send_style,
    opted_out: message.opted_out ?? false,
    sendblue_number: message.line,
    service: 'iMessage',
    group_display_name: message.group_display_name,
    // A member's tapback (our choice of fields: Sendblue documents none for inbound reactions).
    ...(message.reaction ? { reaction: message.reaction, reaction_to: { ...message.reaction_to } } : {}),
  };
}

/**
 * The status callback for one member an outbound message was not delivered to because they opted
 * out: DECLINED with Sendblue's "blacklisted number" code, naming that member (our choice; see README.md).
 */
export function declinedPayload(message: SimMessage, recipient: string, accountEmail: string): Record<string, unknown> {
  return {
    ...messagePayload(message, accountEmail),
    status: 'DECLINED',
    error_code: 4002,
    error_message: 'The recipient has opted out (texted STOP): not delivered to them',
    error_reason: 'opted_out',
    number: recipient,
    to_number: recipient,
    opted_out: true,
    date_updated: new Date().toISOString(),
  };
}

export function listRecord(message: SimMessage, accountEmail: string): Record<string, unknown> {
  return { ...messagePayload(message, accountEmail), date_created: message.date_created };
}

export function groupRecord(group: SimGroup, latest: SimMessage | undefined): Record<string, unknown> {
  return {
    group_id: group.group_id,
    group_name: group.name ?? '',
    participant_numbers: [...group.members],
    participants: group.members.map((phone) => ({ phone, handle: phone, type: 'contact' })),
    created_at: group.created_at,
    updated_at: group.updated_at,
    latest_comm_at: latest?.date_created ?? null,
    latest_message_id: latest?.message_handle ?? null,
  };
}
