import type { MediaArchive } from '../contract/items.js';
import type { MediaLink } from '../contract/views.js';
import type { Logger } from '../platform/logger.js';
import type { MediaLinker } from './ports.js';

/** The link to a message's archived copy, if it has one; a link that cannot be made (no credentials, say) is logged and left out. */
export async function archiveLink(
  linker: MediaLinker | undefined,
  archive: MediaArchive | undefined,
  logger: Logger,
): Promise<MediaLink | undefined> {
  if (!linker || !archive || !('key' in archive)) return undefined;
  try {
    return await linker(archive.key);
  } catch (error) {
    logger.error('media link not made', { error });
    return undefined;
  }
}
