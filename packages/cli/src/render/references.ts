/** Image references as docker shows and splits them. */

/** "docker.io/library/busybox:latest" -> "busybox:latest"; "docker.io/me/app" -> "me/app"; others as they are. */
export function familiarName(name: string): string {
  if (name.startsWith('docker.io/library/')) return name.slice('docker.io/library/'.length);
  if (name.startsWith('docker.io/')) return name.slice('docker.io/'.length);
  return name;
}

export interface ReferenceParts {
  /** registry host, "docker.io" when none is named */
  domain: string;
  /** repository path within the registry: "library/busybox" */
  path: string;
  tag?: string;
  digest?: string;
}

/** Splits a reference as docker's reference.ParseNormalizedNamed does (no validation: the daemon checks). */
export function splitReference(ref: string): ReferenceParts {
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const slash = rest.indexOf('/');
  const first = slash < 0 ? '' : rest.slice(0, slash);
  let domain = 'docker.io';
  let path = rest;
  if (first !== '' && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    domain = first;
    path = rest.slice(slash + 1);
  }
  if (domain === 'docker.io' && !path.includes('/')) path = `library/${path}`;
  return { domain, path, ...(tag !== undefined && { tag }), ...(digest !== undefined && { digest }) };
}

/** The repository and tag columns of `docker images` for a stored name. */
export function repositoryAndTag(name: string): { repository: string; tag: string } {
  const familiar = familiarName(name);
  const at = familiar.indexOf('@');
  if (at >= 0) return { repository: familiar.slice(0, at), tag: '<none>' };
  const colon = familiar.lastIndexOf(':');
  if (colon > familiar.lastIndexOf('/')) return { repository: familiar.slice(0, colon), tag: familiar.slice(colon + 1) };
  return { repository: familiar, tag: '<none>' };
}

/** What docker prints in "Unable to find image 'busybox:latest' locally": the name with :latest when it has no tag or digest. */
export function withDefaultTag(ref: string): string {
  const p = splitReference(ref);
  return p.tag === undefined && p.digest === undefined ? `${ref}:latest` : ref;
}
