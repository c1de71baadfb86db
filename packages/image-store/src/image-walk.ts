/**
 * Everything an image references: its index (if any), the manifests of the index
 * that the store holds (a pull keeps only its platform's), each manifest's config
 * and layers. Export, garbage collection and disk usage walk images this way.
 */
import { assertImageConfig, assertImageIndex, assertImageManifest, type ImageConfig, type ImageIndex, type ImageManifest } from '@tsrun/oci-spec';
import type { ContentStore } from './content-store.js';
import { readJsonBlob } from './image-reader.js';
import { isIndexType, isManifestType } from './media-types.js';
import type { Descriptor } from './metadata-store.js';

export interface WalkedManifest {
  desc: Descriptor;
  manifest: ImageManifest;
  /** Undefined when the config blob is absent. */
  config?: ImageConfig;
}

export interface ImageGraph {
  /** Every descriptor reachable from the target, each digest once, parents before children. */
  blobs: Descriptor[];
  manifests: WalkedManifest[];
  /** Referenced blobs the store does not hold (index entries for other platforms excepted). */
  missing: Descriptor[];
}

export async function walkImage(content: ContentStore, target: Descriptor, what: string): Promise<ImageGraph> {
  const graph: ImageGraph = { blobs: [], manifests: [], missing: [] };
  const seen = new Set<string>();
  const add = async (d: Descriptor, optional: boolean): Promise<'new' | 'seen' | 'missing'> => {
    if (seen.has(d.digest)) return 'seen';
    if (!(await content.info(d.digest))) {
      if (!optional) graph.missing.push(d);
      return 'missing';
    }
    seen.add(d.digest);
    graph.blobs.push(d);
    return 'new';
  };
  const visit = async (d: Descriptor, optional: boolean): Promise<void> => {
    if ((await add(d, optional)) !== 'new') return;
    if (isIndexType(d.mediaType)) {
      const index = await readJsonBlob(content, d, what);
      assertImageIndex(index, `${what}: index ${d.digest}`);
      for (const m of (index as ImageIndex).manifests) await visit(m as Descriptor, true);
    } else if (isManifestType(d.mediaType)) {
      const manifest = await readJsonBlob(content, d, what);
      assertImageManifest(manifest, `${what}: manifest ${d.digest}`);
      const entry: WalkedManifest = { desc: d, manifest };
      graph.manifests.push(entry);
      if ((await add(manifest.config as Descriptor, false)) !== 'missing') {
        const config = await readJsonBlob(content, manifest.config as Descriptor, what);
        assertImageConfig(config, `${what}: config ${manifest.config.digest}`);
        entry.config = config;
      }
      for (const l of manifest.layers) await add(l as Descriptor, false);
    }
  };
  await visit(target, false);
  return graph;
}
