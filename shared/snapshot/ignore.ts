import ignore from 'ignore';

/**
 * `.gitignore` pattern matching (the syntax `.amlignore` uses too) for source snapshots, by the `ignore` package,
 * which follows git's rules: comments, blank lines, `!` negation, `\` escapes, trailing-`/` directory patterns,
 * anchoring by a leading or inner `/`, `*`, `?`, `[...]` classes and `**`; the last matching pattern wins. As in git,
 * a file inside an ignored directory cannot be re-included: the walker never descends into an ignored directory.
 */
export interface IgnoreMatcher {
  /** `relPath` is `/`-separated and relative to the folder holding the ignore file. */
  ignores(relPath: string, isDir: boolean): boolean;
}

export function compileIgnore(text: string): IgnoreMatcher {
  const rules = ignore().add(text);
  // The package tells a directory by its trailing slash, as git lists them.
  return { ignores: (relPath, isDir) => rules.ignores(isDir ? `${relPath}/` : relPath) };
}
