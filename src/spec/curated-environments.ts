// Azure's curated environments, named by registry reference as in Microsoft's
// blue-deployment-with-curated-env.yml: `azureml://registries/azureml/environments/<name>/labels/latest`
// or `.../versions/<n>`. On Azure each is an image with Python and a set of packages; Switchyard has no
// images, so a curated name maps to the packages it implies (the table below, by name prefix), and the
// runtime checks the local interpreter for them exactly as it checks a conda file.
// docs/compatibility.md, "Curated environments".
import { SwitchyardError } from '../errors.js';

export interface CuratedFamily {
  /** Curated names starting with this (case-insensitive), e.g. sklearn-1.5, sklearn-1.0-ubuntu20.04-py38-cpu. */
  prefix: string;
  /** pip distributions the environment's images carry and scoring scripts of that family import. */
  packages: readonly string[];
}

/** The documented mapping. Only the packages a scoring script of the family needs are checked. */
export const CURATED_FAMILIES: readonly CuratedFamily[] = [
  { prefix: 'sklearn-', packages: ['scikit-learn', 'numpy', 'joblib'] },
  { prefix: 'lightgbm-', packages: ['lightgbm', 'scikit-learn', 'numpy'] },
  { prefix: 'pytorch-', packages: ['torch', 'numpy'] },
  { prefix: 'acpt-pytorch-', packages: ['torch', 'numpy'] },
  { prefix: 'tensorflow-', packages: ['tensorflow', 'numpy'] },
  { prefix: 'minimal-', packages: [] },
];

export interface CuratedRef {
  /** The reference as written. */
  ref: string;
  registry: string;
  name: string;
  /** 'latest' (labels/latest) or a version. */
  version: string;
}

const REGISTRY_REF = /^azureml:\/\/registries\/([^/]+)\/environments\/([^/]+)\/(?:labels\/(latest)|versions\/([^/]+))$/;

/** Parses `azureml://registries/<registry>/environments/<name>/labels/latest|versions/<n>`; null if it is not one. */
export function parseRegistryEnvironmentRef(value: string): CuratedRef | null {
  const m = REGISTRY_REF.exec(value);
  if (!m) return null;
  return { ref: value, registry: m[1]!, name: m[2]!, version: m[3] ?? m[4]! };
}

export const isRegistryReference = (value: string): boolean => value.startsWith('azureml://registries/');

/** The family of a curated name, or a refusal that says which names are known. */
export function curatedFamily(ref: CuratedRef): CuratedFamily {
  if (ref.registry !== 'azureml') {
    throw new SwitchyardError('InvalidReference',
      `environment ${JSON.stringify(ref.ref)} names the registry ${JSON.stringify(ref.registry)}; only Azure's curated environments (registry azureml) have a local equivalent. Register the environment with \`environment create\` or write it inline.`);
  }
  const family = CURATED_FAMILIES.find((f) => ref.name.toLowerCase().startsWith(f.prefix));
  if (!family) {
    throw new SwitchyardError('InvalidReference',
      `environment ${JSON.stringify(ref.ref)}: the curated environment ${JSON.stringify(ref.name)} has no local equivalent; known families: ${CURATED_FAMILIES.map((f) => `${f.prefix}*`).join(', ')}. Write the environment inline ({conda_file: ...}) instead.`);
  }
  return family;
}

/** The conda file a curated environment stands for: checked against the local interpreter like any other. */
export function curatedCondaFile(ref: CuratedRef, family: CuratedFamily): Record<string, unknown> {
  return { name: ref.name, dependencies: ['python', ...(family.packages.length ? [{ pip: [...family.packages] }] : [])] };
}
