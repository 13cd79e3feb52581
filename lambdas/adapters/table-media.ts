import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { messageKey } from '../contract/keys.js';
import type { MediaArchive } from '../contract/items.js';
import type { MediaTable } from '../media/ports.js';
import { TABLE_SCHEMA } from '../contract/table-schema.js';
import { writeIfCondition } from './update-expression.js';

/**
 * The media Lambda's part of the table module: one UpdateItem records where the copy of a
 * message's media is (or why there is none) on the message item. `media_archive` is not in the
 * group timeline index's projection, so this writes the table only, never GSI1.
 */
export function createMediaTable(db: DynamoDBDocumentClient, TableName: string): MediaTable {
  return {
    /** Resolves false when the message is not there (nothing is created). */
    async recordMediaArchive(messageHandle: string, archive: MediaArchive): Promise<boolean> {
      return writeIfCondition(
        db,
        new UpdateCommand({
          TableName,
          Key: messageKey(messageHandle),
          UpdateExpression: 'SET #archive = :archive',
          ExpressionAttributeNames: { '#archive': 'media_archive' },
          ExpressionAttributeValues: { ':archive': archive },
          ConditionExpression: `attribute_exists(${TABLE_SCHEMA.partitionKey})`,
        }),
      );
    },
  };
}
