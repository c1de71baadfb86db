/** docker images's rows and columns. */
import type { ImageDetails } from '../client/wire.js';
import type { ListLayout } from './format.js';
import { goTimeString, humanSize, shortId, timeAgo } from './humanize.js';
import { repositoryAndTag } from './references.js';

export const IMAGES_LAYOUT: ListLayout = {
  table: '{{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}',
  headers: { Repository: 'REPOSITORY', Tag: 'TAG', ID: 'IMAGE ID', CreatedSince: 'CREATED', CreatedAt: 'CREATED AT', Size: 'SIZE', Digest: 'DIGEST', Containers: 'CONTAINERS' },
};

export const IMAGES_DIGESTS_TABLE = '{{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}';

export interface ImageRow {
  Containers: string;
  CreatedAt: string;
  CreatedSince: string;
  Digest: string;
  ID: string;
  Repository: string;
  SharedSize: string;
  Size: string;
  Tag: string;
  UniqueSize: string;
  VirtualSize: string;
}

export function imageRow(i: ImageDetails, opts: { trunc: boolean; now?: number }): ImageRow {
  const { repository, tag } = repositoryAndTag(i.image?.name ?? '');
  const size = humanSize(Number(i.size), 3);
  return {
    Containers: 'N/A',
    CreatedAt: goTimeString(i.image?.created ?? ''),
    CreatedSince: timeAgo(i.image?.created ?? '', opts.now) || 'N/A',
    Digest: i.image?.target?.digest || '<none>',
    ID: opts.trunc ? shortId(i.configDigest) : i.configDigest,
    Repository: repository,
    SharedSize: 'N/A',
    Size: size,
    Tag: tag,
    UniqueSize: 'N/A',
    VirtualSize: size,
  };
}
