// `--include` patterns: a glob on the id (`*` any run, `?` one character) or `/regex/flags`.

export function patternOf(pattern: string): RegExp {
  const re = /^\/(.*)\/([a-z]*)$/s.exec(pattern);
  if (re) {
    try {
      return new RegExp(re[1] ?? "", re[2]);
    } catch (e) {
      throw new Error(
        `--include ${pattern}: not a valid regular expression (${e instanceof Error ? e.message : String(e)})`,
      );
    }
  }
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${body}$`);
}

/** True for an id that matches any of the patterns. */
export function idMatcher(patterns: readonly string[]): (id: string) => boolean {
  const res = patterns.map(patternOf);
  return (id) => res.some((r) => r.test(id));
}
