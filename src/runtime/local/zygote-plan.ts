// Which Python instances may start from a zygote (zygote.ts), and what that zygote imports. Pure.
//
// What a zygote preloads: the environment's own packages, as its conda file lists them (conda and pip
// dependencies that are Python modules, conda-packages.ts; the storage initializer has already checked
// that the interpreter imports every one of them), plus a fixed list of submodules for a few packages
// whose top-level import leaves out what a pickled model needs (WARM_SUBMODULES). Never the scoring
// script nor anything from the deployment's code folder: the zygote runs no user code.
//
// A deployment starts cold instead when its environment_variables set a variable Python reads before
// any code runs (PYTHON*: PYTHONPATH could put the user's folder ahead of the packages, PYTHONHASHSEED
// changes every hash) or one the dynamic loader reads (LD_*): a forked child could not honour them.
// Variables that numerical libraries read when they are imported (thread counts of OpenMP, OpenBLAS,
// MKL, numexpr...) become part of the zygote's key and environment, so such a deployment gets a zygote
// of its own that imported its packages under the same settings a cold start would have.
import { requirementsOf } from './conda-packages.js';

export interface ZygotePlan {
  /** Modules the zygote imports, in order (the environment's, then their warm submodules). */
  preload: string[];
  /** The deployment's variables that the preloaded packages read at import time. */
  importEnv: Record<string, string>;
}

export type ZygoteDecision = { zygote: ZygotePlan } | { cold: string };

/** Submodules imported with a package: what pickled models of that package usually need. */
const WARM_SUBMODULES: Record<string, string[]> = {
  sklearn: ['sklearn.linear_model', 'sklearn.pipeline', 'sklearn.preprocessing'],
};

/** Packages whose import starts threads or devices that a fork does not carry over safely: imported in the child. */
const NOT_PRELOADED = new Set(['tensorflow', 'jax', 'jaxlib', 'torch', 'mxnet', 'ray']);

const MODULE_NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;
const COLD_ONLY = /^(PYTHON|LD_)/;
const IMPORT_TIME = /^(OMP_|OPENBLAS_|GOTO_|MKL_|NUMEXPR_|KMP_|VECLIB_|BLIS_|NUMBA_|ARROW_)/;

export function zygoteDecision(condaFile: Record<string, unknown> | undefined, deploymentEnv: Record<string, string>): ZygoteDecision {
  const coldVars = Object.keys(deploymentEnv).filter((k) => COLD_ONLY.test(k)).sort();
  if (coldVars.length) return { cold: `its environment_variables set ${coldVars.join(', ')}, which Python or the loader read before any code runs` };
  const preload: string[] = [];
  const add = (m: string) => {
    if (MODULE_NAME.test(m) && !preload.includes(m)) preload.push(m);
  };
  for (const r of requirementsOf(condaFile)) {
    if (r.kind !== 'module' || !r.module || NOT_PRELOADED.has(r.module.split('.')[0]!)) continue;
    add(r.module);
    for (const sub of WARM_SUBMODULES[r.module] ?? []) add(sub);
  }
  const importEnv: Record<string, string> = {};
  for (const k of Object.keys(deploymentEnv).sort()) if (IMPORT_TIME.test(k)) importEnv[k] = deploymentEnv[k]!;
  return { zygote: { preload, importEnv } };
}

/** One zygote per interpreter and environment: equal keys share one. */
export function zygoteKey(interpreter: string, plan: ZygotePlan): string {
  return JSON.stringify([interpreter, [...plan.preload].sort(), Object.entries(plan.importEnv)]);
}
