import { existsSync, readFileSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UserInputError } from '../errors';
import { compileIgnore, type IgnoreMatcher } from './ignore';

/** A file that belongs in a snapshot. */
export interface SourceFile {
  /** `/`-separated, relative to the source directory. */
  path: string;
  absPath: string;
  executable: boolean;
  size: number;
}

/** Folders never snapshotted: version-control metadata is not source a step can use, and can be huge. */
const ALWAYS_EXCLUDED = new Set(['.git']);

/**
 * Which ignore file applies, Azure ML's rule: `.amlignore` in the source directory if present, else `.gitignore`,
 * else none. Only the file at the top of the source directory is read.
 */
export function ignoreFileOf(dir: string): string | undefined {
  for (const name of ['.amlignore', '.gitignore']) if (existsSync(join(dir, name))) return name;
  return undefined;
}

/**
 * Every file under `dir` that the ignore file does not exclude, sorted by path (byte order of UTF-8). Symbolic links
 * are followed (a snapshot holds their targets' content); a link cycle is skipped.
 */
export function listSourceFiles(dir: string): SourceFile[] {
  let rootStat;
  try {
    rootStat = statSync(dir);
  } catch {
    throw UserInputError.field('source_directory', `"${dir}" does not exist`);
  }
  if (!rootStat.isDirectory()) throw UserInputError.field('source_directory', `"${dir}" is not a directory`);
  const ignoreFile = ignoreFileOf(dir);
  const matcher: IgnoreMatcher = ignoreFile
    ? compileIgnore(readFileSync(join(dir, ignoreFile), 'utf8'))
    : { ignores: () => false };
  const files: SourceFile[] = [];
  const seen = new Set<string>([realpathSync(dir)]);
  const walk = (abs: string, rel: string) => {
    for (const entry of readdirSync(abs, { withFileTypes: true })) {
      const childAbs = join(abs, entry.name);
      const childRel = rel ? `${rel}/${entry.name}` : entry.name;
      let st;
      try {
        st = statSync(childAbs);
      } catch {
        continue; // a dangling symbolic link
      }
      if (st.isDirectory()) {
        if (ALWAYS_EXCLUDED.has(entry.name) || matcher.ignores(childRel, true)) continue;
        const real = realpathSync(childAbs);
        if (seen.has(real)) continue;
        seen.add(real);
        walk(childAbs, childRel);
      } else if (st.isFile()) {
        if (matcher.ignores(childRel, false)) continue;
        files.push({ path: childRel, absPath: childAbs, executable: (st.mode & 0o111) !== 0, size: st.size });
      }
    }
  };
  walk(dir, '');
  return files.sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
}
