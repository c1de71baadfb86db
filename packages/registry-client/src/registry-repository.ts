/**
 * The distribution API of one repository: manifests (HEAD, GET, PUT) and
 * blobs (HEAD, GET with Range, mount, monolithic and chunked uploads).
 */
import { digestOf, EngineError } from '@tsrun/oci-spec';
import { MANIFEST_ACCEPT, MEDIA_TYPES } from './media-types.js';
import { type RegistryHttp, statusError } from './registry-http.js';

export interface ManifestHead {
  digest: string;
  mediaType: string;
  size: number;
}

export interface FetchedManifest extends ManifestHead {
  bytes: Buffer;
}

function mediaTypeOf(res: Response, bytes?: Buffer): string {
  const header = res.headers.get('content-type')?.split(';')[0]?.trim();
  if (header && header !== 'application/json' && header !== 'text/plain') return header;
  if (bytes !== undefined) {
    try {
      const doc = JSON.parse(bytes.toString('utf8')) as { mediaType?: string; manifests?: unknown; layers?: unknown };
      if (doc.mediaType) return doc.mediaType;
      if (Array.isArray(doc.manifests)) return MEDIA_TYPES.ociIndex;
      if (Array.isArray(doc.layers)) return MEDIA_TYPES.ociManifest;
    } catch {
      return header ?? '';
    }
  }
  return header ?? '';
}

export class RegistryRepository {
  constructor(readonly http: RegistryHttp, readonly path: string, private readonly name: string) {}

  private scope(actions: string): string[] {
    return [`repository:${this.path}:${actions}`];
  }

  /** HEAD of a manifest: its digest without its body; undefined when absent or when the registry sends no digest. */
  async headManifest(selector: string, what: string): Promise<ManifestHead | undefined> {
    const res = await this.http.request({
      method: 'HEAD', url: `/v2/${this.path}/manifests/${selector}`, scopes: this.scope('pull'),
      headers: { accept: MANIFEST_ACCEPT }, what,
    });
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw await statusError(res, what);
    const digest = res.headers.get('docker-content-digest');
    const size = Number(res.headers.get('content-length'));
    if (!digest || !Number.isFinite(size)) return undefined;
    return { digest, mediaType: mediaTypeOf(res), size };
  }

  /** GET of a manifest, its bytes checked against the digest asked for (or that the registry claims). */
  async getManifest(selector: string, what: string): Promise<FetchedManifest> {
    const res = await this.http.request({
      method: 'GET', url: `/v2/${this.path}/manifests/${selector}`, scopes: this.scope('pull'),
      headers: { accept: MANIFEST_ACCEPT }, what,
    });
    if (res.status === 404) {
      await res.body?.cancel().catch(() => undefined);
      throw new EngineError('not_found', `${what}: manifest unknown to ${this.name}`);
    }
    if (res.status !== 200) throw await statusError(res, what);
    const bytes = Buffer.from(await res.arrayBuffer());
    const digest = digestOf(bytes);
    const expected = selector.includes(':') ? selector : res.headers.get('docker-content-digest');
    if (expected && expected.startsWith('sha256:') && expected !== digest) {
      throw new EngineError('failed_precondition', `${what}: manifest ${expected}: digest mismatch (got ${digest})`);
    }
    const mediaType = mediaTypeOf(res, bytes);
    if (mediaType === MEDIA_TYPES.dockerSchema1 || mediaType === MEDIA_TYPES.dockerSchema1Signed) {
      throw new EngineError('unimplemented', `${what}: Docker schema 1 manifests are not supported (deprecated since 2017)`);
    }
    return { digest, mediaType, size: bytes.length, bytes };
  }

  /** GET of a blob from `offset`: a 206 continues there, a 200 starts over. */
  async getBlob(digest: string, offset: number, what: string): Promise<Response> {
    const res = await this.http.request({
      method: 'GET', url: `/v2/${this.path}/blobs/${digest}`, scopes: this.scope('pull'),
      headers: offset > 0 ? { range: `bytes=${offset}-` } : {}, what,
    });
    if (res.status === 200 || (res.status === 206 && offset > 0)) return res;
    if (res.status === 404) {
      await res.body?.cancel().catch(() => undefined);
      throw new EngineError('not_found', `${what}: blob unknown to ${this.name}`);
    }
    throw await statusError(res, what);
  }

  async headBlob(digest: string, what: string, actions = 'pull'): Promise<number | undefined> {
    const res = await this.http.request({ method: 'HEAD', url: `/v2/${this.path}/blobs/${digest}`, scopes: this.scope(actions), what });
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw await statusError(res, what);
    return Number(res.headers.get('content-length'));
  }

  private location(res: Response, what: string): string {
    const loc = res.headers.get('location');
    if (!loc) throw new EngineError('unavailable', `${what}: the registry gave no upload location`);
    return new URL(loc, `${this.http.baseUrl}/`).toString();
  }

  private withDigest(location: string, digest: string): string {
    const u = new URL(location);
    u.searchParams.set('digest', digest);
    return u.toString();
  }

  /** Tries a cross-repository mount; true when the registry mounted the blob. Otherwise an upload location. */
  async startUpload(what: string, mount?: { digest: string; from: string }): Promise<{ mounted: true } | { mounted: false; location: string }> {
    const scopes = mount ? [...this.scope('pull,push'), `repository:${mount.from}:pull`] : this.scope('pull,push');
    const query = mount ? `?mount=${encodeURIComponent(mount.digest)}&from=${encodeURIComponent(mount.from)}` : '';
    const res = await this.http.request({ method: 'POST', url: `/v2/${this.path}/blobs/uploads/${query}`, scopes, headers: { 'content-length': '0' }, what });
    if (res.status === 201 && mount) {
      await res.body?.cancel().catch(() => undefined);
      return { mounted: true };
    }
    if (res.status !== 202) throw await statusError(res, what);
    await res.body?.cancel().catch(() => undefined);
    return { mounted: false, location: this.location(res, what) };
  }

  /** One PATCH of a chunked upload; the next location. */
  async patchChunk(location: string, chunk: Uint8Array, start: number, what: string): Promise<string> {
    const res = await this.http.request({
      method: 'PATCH', url: location, scopes: this.scope('pull,push'), body: chunk, what,
      headers: {
        'content-type': 'application/octet-stream',
        'content-length': String(chunk.length),
        'content-range': `${start}-${start + chunk.length - 1}`,
      },
    });
    if (res.status !== 202) throw await statusError(res, what);
    await res.body?.cancel().catch(() => undefined);
    return this.location(res, what);
  }

  /** The closing PUT ?digest= (with the whole blob for a monolithic upload); checks the digest the registry reports. */
  async finishUpload(location: string, digest: string, body: Uint8Array | undefined, what: string): Promise<void> {
    const res = await this.http.request({
      method: 'PUT', url: this.withDigest(location, digest), scopes: this.scope('pull,push'), what,
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(body?.length ?? 0) },
      ...(body && { body }),
    });
    if (res.status !== 201) throw await statusError(res, what);
    await res.body?.cancel().catch(() => undefined);
    const reported = res.headers.get('docker-content-digest');
    if (reported && reported !== digest) {
      throw new EngineError('failed_precondition', `${what}: the registry stored ${reported}, not ${digest}`);
    }
  }

  async putManifest(selector: string, mediaType: string, bytes: Buffer, what: string): Promise<string> {
    const res = await this.http.request({
      method: 'PUT', url: `/v2/${this.path}/manifests/${selector}`, scopes: this.scope('pull,push'), body: bytes, what,
      headers: { 'content-type': mediaType, 'content-length': String(bytes.length) },
    });
    if (res.status !== 201) throw await statusError(res, what);
    await res.body?.cancel().catch(() => undefined);
    const digest = digestOf(bytes);
    const reported = res.headers.get('docker-content-digest');
    if (reported && reported !== digest) {
      throw new EngineError('failed_precondition', `${what}: the registry stored the manifest as ${reported}, not ${digest}`);
    }
    return digest;
  }
}
