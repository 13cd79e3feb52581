import type { CommandItem, ContactItem, GroupItem, MessageItem, StatusHistoryItem } from '../contract/items.js';
import type { ReactionEntry } from '../contract/reactions.js';
import type { MediaLink } from '../contract/views.js';

/**
 * What the read routes need from the world: the table's reads (adapters/table-reads.ts) and, when
 * the stack keeps media, presigned links to the copies (adapters/s3-link-signer.ts).
 */

export interface MessagePage {
  /** Timeline entries: the attributes GSI1 projects (TABLE_SCHEMA.groupTimelineIndex), not the whole item. */
  items: MessageItem[];
  /**
   * The key to continue after the last returned item, whenever more items may follow; absent on
   * the last page. A page can be shorter than `limit` and still have one (DynamoDB's 1 MB limit).
   */
  nextKey?: Record<string, string>;
}

/** A timeline page's reactions: the index does not project them (docs/table-design.md). */
export interface ReactionReads {
  /** The reactions of these messages, by handle; messages without any are left out. */
  getReactions(handles: readonly string[]): Promise<Map<string, ReactionEntry[]>>;
}

/** A message with what is kept beside it: every distinct status, and its reactions. */
export interface StoredMessage {
  message: MessageItem;
  history: StatusHistoryItem[];
  reactions: ReactionEntry[];
}

/** One entry of the opted-out list: the number and the evidence's date (GSI1 holds only keys). */
export interface OptedOutEntry {
  number: string;
  since: string;
}

/** The contacts ledger's reads (adapters/table-contacts.ts). */
export interface ContactReads {
  getContact(number: string): Promise<ContactItem | undefined>;
  /** Opted-out contacts, newest first (the sparse `OPTED_OUT` list in GSI1), a page at a time. */
  listOptedOut(page: { limit: number; startKey?: Record<string, string> }): Promise<{
    items: OptedOutEntry[];
    nextKey?: Record<string, string>;
  }>;
}

/** What the read routes may do: read. */
export interface ReadStore extends ReactionReads, ContactReads {
  getGroup(groupId: string): Promise<GroupItem | undefined>;
  listGroupMessages(
    groupId: string,
    page: { limit: number; order: 'asc' | 'desc'; startKey?: Record<string, string> },
  ): Promise<MessagePage>;
  /** The message with its status history and reactions (one Query of its partition). */
  getMessageWithHistory(handle: string): Promise<StoredMessage | undefined>;
  getCommand(commandId: string): Promise<CommandItem | undefined>;
}

/** A presigned GET link to an archived media object, by its key. */
export type MediaLinker = (key: string) => Promise<MediaLink>;
