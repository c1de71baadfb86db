/** The few facts about canonical image names that import and export need (parsing proper is the registry client's). */

/** The tag of `host/repo:tag` or `repo:tag@sha256:…`; undefined when the name has none. */
export function tagOf(name: string): string | undefined {
  const noDigest = name.split('@')[0]!;
  const colon = noDigest.lastIndexOf(':');
  return colon > noDigest.lastIndexOf('/') ? noDigest.slice(colon + 1) : undefined;
}

/** `host/repo` of `host/repo:tag@digest`. */
export function repositoryOf(name: string): string {
  const noDigest = name.split('@')[0]!;
  const tag = tagOf(noDigest);
  return tag === undefined ? noDigest : noDigest.slice(0, -(tag.length + 1));
}
