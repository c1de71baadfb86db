/**
 * Image references, parsed the way Docker does (distribution/reference's
 * ParseNormalizedNamed): `busybox` is `docker.io/library/busybox:latest`; the
 * first path component is a registry when it has a `.` or a `:`, is `localhost`,
 * or has an upper-case letter; names are lower case; tags are `[\w][\w.-]{0,127}`.
 */
import { EngineError, parseDigest } from '@tsrun/oci-spec';

export const DEFAULT_DOMAIN = 'docker.io';
export const DEFAULT_TAG = 'latest';
const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
const OFFICIAL_REPO_PREFIX = 'library/';
const NAME_TOTAL_LENGTH_MAX = 255;

const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN_NAME = `${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*`;
const IPV6 = '\\[(?:[a-fA-F0-9:]+)\\]';
const DOMAIN_RE = new RegExp(`^(?:${DOMAIN_NAME}|${IPV6})(?::[0-9]+)?$`);
const PATH_COMPONENT_RE = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG_RE = /^[\w][\w.-]{0,127}$/;
const HEX64_RE = /^[a-f0-9]{64}$/;

export interface ImageReference {
  /** The registry: `docker.io`, `localhost:5000`, `[::1]:5000`. */
  readonly domain: string;
  /** The repository path inside the registry: `library/busybox`. */
  readonly path: string;
  readonly tag?: string;
  readonly digest?: string;
}

export interface ParseReferenceOptions {
  /** Add `latest` when neither a tag nor a digest is given (default true). */
  defaultTag?: boolean;
}

function invalid(ref: string, why: string): EngineError {
  return new EngineError('invalid_argument', `image reference ${JSON.stringify(ref)}: ${why}`);
}

function splitDomain(name: string): { domain: string; path: string; explicit: boolean } {
  const slash = name.indexOf('/');
  const first = slash === -1 ? '' : name.slice(0, slash);
  const isDomain = slash !== -1
    && (/[.:]/.test(first) || first === 'localhost' || first.toLowerCase() !== first);
  if (!isDomain) return { domain: DEFAULT_DOMAIN, path: name, explicit: false };
  return { domain: first, path: name.slice(slash + 1), explicit: true };
}

/** Parses a reference as `docker pull` takes it; throws invalid_argument naming the reference and the fault. */
export function parseReference(input: string, opts: ParseReferenceOptions = {}): ImageReference {
  if (input === '') throw invalid(input, 'is empty');
  if (/\s/.test(input)) throw invalid(input, 'contains white space');

  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    try {
      parseDigest(digest);
    } catch {
      throw invalid(input, `invalid digest ${JSON.stringify(digest)} (want sha256:<64 lowercase hex> or sha512:<128>)`);
    }
  }

  let tag: string | undefined;
  const lastColon = rest.lastIndexOf(':');
  if (lastColon !== -1 && !rest.slice(lastColon + 1).includes('/')) {
    tag = rest.slice(lastColon + 1);
    rest = rest.slice(0, lastColon);
    if (!TAG_RE.test(tag)) {
      throw invalid(input, `invalid tag ${JSON.stringify(tag)} (letters, digits, '_', '.', '-'; at most 128; not starting with '.' or '-')`);
    }
  }

  if (rest === '') throw invalid(input, 'has no repository name');
  if (rest.length > NAME_TOTAL_LENGTH_MAX) throw invalid(input, `repository name longer than ${NAME_TOTAL_LENGTH_MAX} characters`);

  const split = splitDomain(rest);
  let { domain, path } = split;
  if (split.explicit && !DOMAIN_RE.test(domain)) throw invalid(input, `invalid registry ${JSON.stringify(domain)}`);
  if (path === '') throw invalid(input, 'has no repository path after the registry');
  if (path.toLowerCase() !== path) throw invalid(input, 'repository name must be lowercase');
  for (const component of path.split('/')) {
    if (!PATH_COMPONENT_RE.test(component)) {
      throw invalid(input, component === ''
        ? 'empty path component'
        : `invalid path component ${JSON.stringify(component)} (lowercase letters and digits, separated by '.', '_', '__' or '-')`);
    }
  }
  if (!split.explicit && HEX64_RE.test(path)) {
    throw invalid(input, 'a 64-character hexadecimal name is an image ID, not a repository');
  }

  if (domain === LEGACY_DEFAULT_DOMAIN) domain = DEFAULT_DOMAIN;
  if (domain === DEFAULT_DOMAIN && !path.includes('/')) path = OFFICIAL_REPO_PREFIX + path;
  if (tag === undefined && digest === undefined && opts.defaultTag !== false) tag = DEFAULT_TAG;

  return { domain, path, ...(tag !== undefined && { tag }), ...(digest !== undefined && { digest }) };
}

/** `domain/path` */
export function repositoryOf(ref: ImageReference): string {
  return `${ref.domain}/${ref.path}`;
}

/** The fully qualified form: `docker.io/library/busybox:latest`, `host:5000/x@sha256:…`. */
export function formatReference(ref: ImageReference): string {
  return `${repositoryOf(ref)}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}

/** The short form Docker shows: `busybox:latest`, `user/app:1`, `localhost:5000/x:y`. */
export function familiarReference(ref: ImageReference): string {
  let name = repositoryOf(ref);
  if (ref.domain === DEFAULT_DOMAIN) {
    name = ref.path.startsWith(OFFICIAL_REPO_PREFIX) ? ref.path.slice(OFFICIAL_REPO_PREFIX.length) : ref.path;
  }
  return `${name}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}

/** What the registry API is asked for: the digest when there is one, else the tag. */
export function manifestSelector(ref: ImageReference): string {
  const selector = ref.digest ?? ref.tag;
  if (selector === undefined) throw invalid(formatReference(ref), 'has neither a tag nor a digest');
  return selector;
}
