// The environment part of the storage initializer for Python deployments: choose the interpreter and
// check the conda file's packages against it. A missing package fails the deployment with a message
// that says what to install or configure; a version pin that is not met is only a warning in the log.
import type { EnvironmentBinding } from '../../spec/types.js';
import { debianPackageOf, requirementsOf, type Requirement } from './conda-packages.js';
import { chooseInterpreter, type InterpreterRejection } from './interpreter-check.js';
import { formatPins, pinsSatisfied } from './version-pin.js';

export type EnvironmentVerdict = { ok: true; interpreter: string } | { ok: false; message: string };

const describe = (r: Requirement): string => (r.module && r.module !== r.name ? `${r.name} (import ${r.module})` : r.name);

function installAdvice(interpreter: string, missing: Requirement[]): string {
  const pip = `${interpreter} -m pip install ${missing.map((r) => r.name).join(' ')}`;
  if (interpreter.startsWith('/usr/bin/python')) {
    return `apt-get install ${[...new Set(missing.map(debianPackageOf))].join(' ')} (or ${pip})`;
  }
  return pip;
}

export function unsatisfiedMessage(rejected: InterpreterRejection[]): string {
  const first = rejected.find((r) => r.missing.length) ?? rejected[0];
  if (!first) return 'No Python interpreter could be checked.';
  if (!first.missing.length) {
    return `The Python interpreter cannot be used: ${first.error ?? 'unknown error'}. Set \`interpreter:\` in the environment (or start the server with --python) to a working Python 3.`;
  }
  let message =
    `The environment needs packages that ${first.interpreter} cannot import: ${first.missing.map(describe).join(', ')}. ` +
    `Install them for that interpreter (${installAdvice(first.interpreter, first.missing)}), ` +
    'or set `interpreter:` in the environment to a Python that has them.';
  const others = rejected.filter((r) => r !== first);
  if (others.length) {
    message += ` Also tried: ${others.map((r) => `${r.interpreter} (${r.error ?? `missing ${r.missing.map((m) => m.name).join(', ')}`})`).join('; ')}.`;
  }
  return message;
}

export async function checkPythonEnvironment(
  environment: EnvironmentBinding,
  serverPython: string | undefined,
  say: (line: string) => void,
): Promise<EnvironmentVerdict> {
  const requirements = requirementsOf(environment.conda_file);
  const label = environment.name ? `${environment.name}${environment.version ? `:${environment.version}` : ''}` : 'inline environment';
  if (environment.image) say(`Environment ${label}: image ${environment.image} is recorded, not pulled (the local runtime runs on this machine's Python).`);
  const { choice, rejected } = await chooseInterpreter(requirements, {
    ...(environment.interpreter ? { explicit: environment.interpreter } : {}),
    ...(serverPython ? { serverDefault: serverPython } : {}),
  });
  if (environment.curated) {
    say(`Environment ${label}: the curated environment ${environment.curated} stands for ${requirements.filter((r) => r.kind === 'module').map((r) => r.name).join(', ') || 'Python alone'} (docs/compatibility.md, "Curated environments").`);
  }
  if (!choice) {
    const message = (environment.curated ? `The curated environment ${environment.curated} needs Python packages on this machine. ` : '')
      + unsatisfiedMessage(rejected);
    say(`ERROR: ${message}`);
    return { ok: false, message };
  }
  const { interpreter, report } = choice;
  const how = environment.interpreter ? 'set by the environment' : serverPython ? 'the server default' : 'auto-detected';
  say(`Python interpreter: ${interpreter} (Python ${report.version}, ${how}).`);
  for (const r of requirements) {
    if (r.kind === 'skipped') {
      say(`  ${r.spec}: not checked (${r.skipReason}).`);
    } else if (r.kind === 'python') {
      if (r.pins.length && !pinsSatisfied(report.version, r.pins)) {
        say(`WARNING: the conda file asks for python${formatPins(r.pins)}; ${interpreter} is Python ${report.version}. Continuing with it.`);
      }
    } else {
      const version = report.modules[r.module!]?.version ?? null;
      say(`  ${r.spec}: import ${r.module} ok${version ? ` (${version})` : ''}.`);
      if (r.pins.length && version && !pinsSatisfied(version, r.pins)) {
        say(`WARNING: ${r.name} is pinned to ${formatPins(r.pins)} but ${interpreter} has ${version}. Continuing with ${version}.`);
      }
    }
  }
  return { ok: true, interpreter };
}
