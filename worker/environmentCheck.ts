import { execFile } from 'node:child_process';
import type { StepEnvironment } from '../shared/spec/environment';

/**
 * Before a python step that declares an environment (Azure ML's Environment / CondaDependencies) starts, the worker
 * checks that each declared package can be imported by the interpreter that will run it. Locally steps run in the
 * worker's interpreter (`--python`, SLUICE_PYTHON for npm start), not in a built image, so a missing package fails
 * the step at once with a message naming it and the interpreter, instead of an ImportError deep in the script.
 */

/** Distribution names whose import name differs (lower-case keys). */
export const IMPORT_NAMES: Readonly<Record<string, string>> = {
  'scikit-learn': 'sklearn',
  sklearn: 'sklearn',
  pillow: 'PIL',
  'python-dateutil': 'dateutil',
  pyyaml: 'yaml',
  'opencv-python': 'cv2',
  'opencv-python-headless': 'cv2',
  'opencv-contrib-python': 'cv2',
  beautifulsoup4: 'bs4',
  protobuf: 'google.protobuf',
  'tensorflow-cpu': 'tensorflow',
  'tensorflow-gpu': 'tensorflow',
};

/** Conda packages that are not Python modules (the interpreter itself, tools and native libraries). */
const NOT_MODULES = new Set(['python', 'pip', 'conda', 'cudatoolkit', 'cudnn', 'mkl', 'nomkl', 'libgcc', 'openjdk']);

/** The distribution a requirement names (`pandas[excel]>=1.3; python_version>"3"` → `pandas`); undefined for
 * lines that name none (options such as `-r file` or `--index-url`, URLs, local paths). */
export function requirementName(requirement: string): string | undefined {
  let text = requirement.trim();
  if (!text || text.startsWith('-') || text.startsWith('#') || /^[a-z+]+:\/\//i.test(text)) return undefined;
  if (text.includes('::')) text = text.slice(text.lastIndexOf('::') + 2); // conda channel::package
  if (/^[./~]/.test(text) || text.includes('/') || text.includes('@')) {
    const before = text.split('@')[0].trim();
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(before)) return undefined; // a path or URL, not a name
    text = before;
  }
  const name = text.split(/[\s=<>!~;[(,]/)[0];
  return /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name) ? name : undefined;
}

/** The module a distribution is imported as; undefined for Sluice's own `azureml-*` (on every step's path). */
export function importName(distribution: string): string | undefined {
  const key = distribution.toLowerCase();
  if (key === 'azureml' || key.startsWith('azureml-') || key.startsWith('azureml_')) return undefined;
  return IMPORT_NAMES[key] ?? key.replace(/[-.]/g, '_');
}

export interface PackageCheck {
  package: string;
  module: string;
}

/** What to check for an environment: each declared pip and conda package once, in declaration order. */
export function packagesToCheck(environment: StepEnvironment): PackageCheck[] {
  const out: PackageCheck[] = [];
  const seen = new Set<string>();
  const add = (requirement: string, conda: boolean) => {
    const name = requirementName(requirement);
    if (!name || (conda && NOT_MODULES.has(name.toLowerCase()))) return;
    const module = importName(name);
    if (!module || seen.has(module)) return;
    seen.add(module);
    out.push({ package: name, module });
  };
  for (const r of environment.conda) add(r, true);
  for (const r of environment.pip) add(r, false);
  return out;
}

/** Prints `{"executable", "version", "missing": [module…]}`; find_spec locates without running the module. */
const PROBE = [
  'import importlib.util, json, sys',
  'missing = []',
  'for name in sys.argv[1:]:',
  '    try:',
  '        found = importlib.util.find_spec(name) is not None',
  '    except Exception:',
  '        found = False',
  '    if not found:',
  '        missing.append(name)',
  'print(json.dumps({"executable": sys.executable, "version": "%d.%d.%d" % sys.version_info[:3], "missing": missing}))',
].join('\n');

export interface EnvironmentReport {
  executable: string;
  version: string;
  missing: PackageCheck[];
}

/**
 * Runs the interpreter once (no shell) to find which packages it cannot import. Undefined when the interpreter
 * could not be run or answered nonsense: the step's own start then reports that.
 */
export async function probeEnvironment(
  python: string,
  packages: readonly PackageCheck[],
  options: { env: NodeJS.ProcessEnv; cwd: string },
): Promise<EnvironmentReport | undefined> {
  const answer = await new Promise<string | undefined>((resolve) => {
    execFile(
      python,
      ['-c', PROBE, ...packages.map((p) => p.module)],
      { env: options.env, cwd: options.cwd, timeout: 60_000, maxBuffer: 1024 * 1024, windowsHide: true },
      (err, stdout) => resolve(err ? undefined : stdout),
    );
  });
  try {
    const parsed = JSON.parse(answer ?? '') as { executable: string; version: string; missing: string[] };
    const missing = packages.filter((p) => parsed.missing.includes(p.module));
    return { executable: parsed.executable || python, version: parsed.version, missing };
  } catch {
    return undefined;
  }
}

/** The step's failure message for missing packages, or undefined when everything imports. */
export function environmentProblem(environment: StepEnvironment, report: EnvironmentReport): string | undefined {
  if (report.missing.length === 0) return undefined;
  const listed = report.missing
    .map((p) => (p.module === p.package ? `"${p.package}"` : `"${p.package}" (import ${p.module})`))
    .join(', ');
  const install = report.missing.map((p) => p.package).join(' ');
  return (
    `environment "${environment.name}": package${report.missing.length > 1 ? 's' : ''} ${listed} cannot be ` +
    `imported by the worker's interpreter ${report.executable} (Python ${report.version}); install ` +
    `${report.missing.length > 1 ? 'them' : 'it'} there (${report.executable} -m pip install ${install}) or run ` +
    'the worker with --python pointing at an interpreter that has them (npm start: SLUICE_PYTHON)'
  );
}

/** A note for the step log when the declared Python version differs from the interpreter's (not a failure). */
export function pythonVersionNote(environment: StepEnvironment, report: EnvironmentReport): string | undefined {
  const wanted = environment.python?.trim();
  if (!wanted || report.version === wanted || report.version.startsWith(`${wanted}.`)) return undefined;
  return `environment "${environment.name}" asks for Python ${wanted}; the worker runs ${report.executable} (Python ${report.version})`;
}
