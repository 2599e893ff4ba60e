// What a conda file asks of a Python interpreter. Each dependency (conda or pip) becomes a module to
// import, the Python version, or something the local runtime does not need to check (installer tooling,
// the azureml packages the host provides, non-Python conda libraries). Pure: no I/O.
import { parsePins, type Pin } from './version-pin.js';

export type RequirementKind = 'module' | 'python' | 'skipped';

export interface Requirement {
  /** The dependency as written in the conda file. */
  spec: string;
  source: 'conda' | 'pip';
  /** Normalised distribution name: lower case, `_` → `-`. */
  name: string;
  pins: Pin[];
  kind: RequirementKind;
  /** The module to import, for kind 'module'. */
  module?: string;
  /** Why it is not checked, for kind 'skipped'. */
  skipReason?: string;
}

const IMPORT_NAMES: Record<string, string> = {
  'scikit-learn': 'sklearn',
  sklearn: 'sklearn',
  'scikit-image': 'skimage',
  pyyaml: 'yaml',
  pillow: 'PIL',
  'opencv-python': 'cv2',
  'opencv-python-headless': 'cv2',
  'opencv-contrib-python': 'cv2',
  'opencv-contrib-python-headless': 'cv2',
  opencv: 'cv2',
  'py-opencv': 'cv2',
  'python-dateutil': 'dateutil',
  beautifulsoup4: 'bs4',
  pytorch: 'torch',
  'pytorch-cpu': 'torch',
  'tensorflow-cpu': 'tensorflow',
  'tensorflow-gpu': 'tensorflow',
  'tensorflow-intel': 'tensorflow',
  protobuf: 'google.protobuf',
  'msgpack-python': 'msgpack',
  attrs: 'attr',
  'py-xgboost': 'xgboost',
  'py-xgboost-cpu': 'xgboost',
  'py-lightgbm': 'lightgbm',
  'onnxruntime-gpu': 'onnxruntime',
  'psycopg2-binary': 'psycopg2',
  'python-dotenv': 'dotenv',
  pyjwt: 'jwt',
  pyzmq: 'zmq',
  'mkl-service': 'mkl',
  'mlflow-skinny': 'mlflow',
  'python-graphviz': 'graphviz',
  'python-multipart': 'multipart',
  'ruamel.yaml': 'ruamel.yaml',
  'ruamel-yaml': 'ruamel.yaml',
  'azure-ai-ml': 'azure.ai.ml',
  'azure-identity': 'azure.identity',
  'azure-storage-blob': 'azure.storage.blob',
  'google-cloud-storage': 'google.cloud.storage',
};

const TOOLING = new Set(['pip', 'setuptools', 'wheel', 'conda', 'mamba', 'virtualenv', 'pip-tools']);

/** Packages the Switchyard host stands in for (AMLResponse, @rawhttp, inference-schema decorators). */
function providedByHost(name: string): boolean {
  return name.startsWith('azureml-') || name === 'azureml' || name === 'inference-schema';
}

const SYSTEM_LIBRARIES = new Set([
  '_libgcc_mutex', '_openmp_mutex', 'ca-certificates', 'openssl', 'ld_impl_linux-64', 'zlib', 'xz', 'tk',
  'sqlite', 'readline', 'ncurses', 'bzip2', 'tzdata', 'mkl', 'intel-openmp', 'blas', 'openblas', 'nomkl',
  'cudatoolkit', 'cudnn', 'nccl', 'gcc', 'gxx', 'gcc_linux-64', 'gxx_linux-64', 'make', 'cmake', 'git',
  'nodejs', 'ffmpeg', 'graphviz', 'openjdk', 'r-base', 'tbb', 'llvm-openmp', 'expat', 'icu', 'krb5',
  'c-ares', 'yaml', 'pcre', 'pcre2', 'gmp', 'mpfr', 'jpeg', 'libpng', 'freetype', 'lz4-c', 'zstd',
  'openmpi', 'mpich', 'hdf5', 'cuda', 'cuda-toolkit', 'pytorch-cuda', 'cpuonly',
]);

function systemLibrary(name: string): boolean {
  return SYSTEM_LIBRARIES.has(name) || name.startsWith('lib') || name.startsWith('r-') || name.startsWith('cuda-');
}

export function normaliseName(name: string): string {
  return name.trim().toLowerCase().replace(/_/g, '-');
}

export function importNameOf(name: string): string {
  const n = normaliseName(name);
  return IMPORT_NAMES[n] ?? n.replace(/-/g, '_');
}

function classify(spec: string, source: 'conda' | 'pip', rawName: string, pins: Pin[]): Requirement {
  const name = normaliseName(rawName);
  const base = { spec, source, name, pins };
  if (name === 'python' || name === 'python3') return { ...base, kind: 'python' };
  if (TOOLING.has(name)) return { ...base, kind: 'skipped', skipReason: 'installer tooling' };
  if (providedByHost(name)) return { ...base, kind: 'skipped', skipReason: 'provided by the Switchyard host' };
  if (source === 'conda' && systemLibrary(name)) return { ...base, kind: 'skipped', skipReason: 'not a Python package' };
  return { ...base, kind: 'module', module: importNameOf(name) };
}

/** "conda-forge::numpy=1.21.2=py39h..." / "numpy 1.21.*" / "numpy>=1.2" */
export function parseCondaSpec(spec: string): Requirement | null {
  let text = spec.trim();
  const channel = text.indexOf('::');
  if (channel >= 0) text = text.slice(channel + 2);
  const m = /^([A-Za-z0-9_.\-]+)\s*(.*)$/.exec(text);
  if (!m) return null;
  const rest = m[2]!.trim();
  let pins: Pin[] = [];
  if (/^=[^=]/.test(rest)) {
    pins = [{ op: '=', version: rest.slice(1).split('=')[0]!.trim() }];
  } else if (/^\d/.test(rest)) {
    pins = [{ op: '=', version: rest.split(/\s+/)[0]! }];
  } else if (rest) {
    pins = parsePins(rest.split(/\s+(?=[^,<>=!~])/)[0]!.replace(/\s+/g, ''));
  }
  return classify(spec, 'conda', m[1]!, pins);
}

/** "inference-schema[numpy-support]==1.3.0 ; python_version > '3.6'"; options, URLs and paths give null. */
export function parsePipSpec(spec: string): Requirement | null {
  const text = spec.split(';')[0]!.split(' #')[0]!.trim();
  if (!text || text.startsWith('-') || text.startsWith('.') || text.startsWith('/') || /^[a-z+]+:\/\//i.test(text)) return null;
  if (text.startsWith('git+')) return null;
  const m = /^([A-Za-z0-9_.\-]+)\s*(\[[^\]]*\])?\s*(.*)$/.exec(text);
  if (!m) return null;
  const rest = m[3]!.trim();
  if (rest.startsWith('@')) return classify(spec, 'pip', m[1]!, []);
  return classify(spec, 'pip', m[1]!, parsePins(rest.replace(/\s+/g, '')));
}

/** Every dependency of a conda file map ({name, channels, dependencies: [..., {pip: [...]}]}). */
export function requirementsOf(condaFile: Record<string, unknown> | undefined): Requirement[] {
  const deps = condaFile?.dependencies;
  if (!Array.isArray(deps)) return [];
  const out: Requirement[] = [];
  for (const dep of deps) {
    if (typeof dep === 'string') {
      const r = parseCondaSpec(dep);
      if (r) out.push(r);
    } else if (dep && typeof dep === 'object' && Array.isArray((dep as { pip?: unknown }).pip)) {
      for (const p of (dep as { pip: unknown[] }).pip) {
        if (typeof p !== 'string') continue;
        const r = parsePipSpec(p);
        if (r) out.push(r);
      }
    }
  }
  return out;
}

/** The Debian package that provides an import for /usr/bin/python3 (a suggestion for messages). */
export function debianPackageOf(req: Requirement): string {
  const special: Record<string, string> = { sklearn: 'sklearn', PIL: 'pil', cv2: 'opencv', 'google.protobuf': 'protobuf', attr: 'attr' };
  const mod = req.module ?? req.name;
  return `python3-${special[mod] ?? req.name.replace(/^python-/, '')}`;
}
