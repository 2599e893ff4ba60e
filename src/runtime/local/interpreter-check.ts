// Which Python runs a deployment, and can it import what the conda file lists? The check runs the
// interpreter once (find_spec, not a full import, so it takes milliseconds) and is cached per
// (interpreter, module set). Interpreter choice: the environment's `interpreter:`, else the server's
// `python` option, else the first of /usr/bin/python3, python3 and python on PATH that has every module.
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { Requirement } from './conda-packages.js';

export interface ModuleCheck {
  found: boolean;
  version: string | null;
}

export interface InterpreterReport {
  interpreter: string;
  /** "3.11.2" */
  version: string;
  modules: Record<string, ModuleCheck>;
}

const CHECK_SCRIPT = `
import importlib.util, json, sys
try:
    from importlib import metadata
except ImportError:
    metadata = None
out = {}
for item in json.loads(sys.argv[1]):
    mod, dist = item["module"], item["dist"]
    try:
        found = importlib.util.find_spec(mod) is not None
    except Exception:
        found = False
    version = None
    if found and metadata is not None:
        for name in (dist, mod.split(".")[0]):
            try:
                version = metadata.version(name)
                break
            except Exception:
                pass
    out[mod] = {"found": found, "version": version}
print(json.dumps({"version": "%d.%d.%d" % tuple(sys.version_info[:3]), "modules": out}))
`;

const cache = new Map<string, Promise<InterpreterReport>>();

function runCheck(interpreter: string, wanted: Array<{ module: string; dist: string }>): Promise<InterpreterReport> {
  return new Promise((resolve, reject) => {
    execFile(interpreter, ['-c', CHECK_SCRIPT, JSON.stringify(wanted)], { timeout: 30_000, maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      if (err) {
        reject(new Error(`${interpreter} could not run: ${(stderr || err.message).trim().split('\n').slice(-1)[0]}`));
        return;
      }
      try {
        const parsed = JSON.parse(stdout.trim().split('\n').pop() ?? '') as Omit<InterpreterReport, 'interpreter'>;
        resolve({ interpreter, ...parsed });
      } catch {
        reject(new Error(`${interpreter} gave an unexpected answer to the package check: ${stdout.slice(0, 200)}`));
      }
    });
  });
}

/** The interpreter's answer for these requirements' modules; cached per (interpreter, module set). */
export function checkInterpreter(interpreter: string, requirements: Requirement[]): Promise<InterpreterReport> {
  const wanted = requirements
    .filter((r) => r.kind === 'module' && r.module)
    .map((r) => ({ module: r.module!, dist: r.name }))
    .sort((a, b) => a.module.localeCompare(b.module));
  const key = `${interpreter}\0${wanted.map((w) => `${w.module}:${w.dist}`).join(',')}`;
  let report = cache.get(key);
  if (!report) {
    report = runCheck(interpreter, wanted);
    cache.set(key, report);
    report.catch(() => cache.delete(key)); // a broken interpreter may be fixed; ask again next time
  }
  return report;
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && executable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** Candidate interpreters in order of preference, existing ones only, without duplicates. */
export function candidateInterpreters(): string[] {
  const found = ['/usr/bin/python3', onPath('python3'), onPath('python'), '/usr/local/bin/python3'];
  return [...new Set(found.filter((p): p is string => !!p && executable(p)))];
}

export interface InterpreterChoice {
  interpreter: string;
  report: InterpreterReport;
}

export interface InterpreterRejection {
  interpreter: string;
  missing: Requirement[];
  error?: string;
}

export function missingModules(report: InterpreterReport, requirements: Requirement[]): Requirement[] {
  return requirements.filter((r) => r.kind === 'module' && r.module && !report.modules[r.module]?.found);
}

/**
 * The first candidate that can import every module (explicit choices are the only candidate).
 * Resolves with the choice, or with the rejections of every candidate tried.
 */
export async function chooseInterpreter(
  requirements: Requirement[],
  options: { explicit?: string; serverDefault?: string; candidates?: string[] },
): Promise<{ choice?: InterpreterChoice; rejected: InterpreterRejection[] }> {
  const fixed = options.explicit ?? options.serverDefault;
  const candidates = fixed ? [fixed] : (options.candidates ?? candidateInterpreters());
  const rejected: InterpreterRejection[] = [];
  if (candidates.length === 0) {
    rejected.push({ interpreter: 'python3', missing: [], error: 'no Python interpreter found (looked for /usr/bin/python3, python3 and python on PATH)' });
  }
  for (const interpreter of candidates) {
    try {
      const report = await checkInterpreter(interpreter, requirements);
      const missing = missingModules(report, requirements);
      if (missing.length === 0) return { choice: { interpreter, report }, rejected };
      rejected.push({ interpreter, missing });
    } catch (e) {
      rejected.push({ interpreter, missing: [], error: (e as Error).message });
    }
  }
  return { rejected };
}
