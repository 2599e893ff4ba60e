// The Azure VM sizes a managed online deployment may name as `instance_type`, with their vCPUs, memory
// and GPUs (Microsoft's "managed online endpoints SKU list": the D, DS, E, F and NC families). One source
// for the input check (an unknown size is refused naming the closest known ones), for the default
// per-instance memory limit, and for any backend that maps a size to resources (a Kubernetes backend:
// requests/limits of cpu and memory). docs/compatibility.md, "Instance types".

export interface InstanceType {
  /** Azure's name, e.g. Standard_DS3_v2 (matched case-insensitively). */
  name: string;
  vcpus: number;
  /** GiB of memory. */
  memoryGiB: number;
  gpus: number;
}

const size = (name: string, vcpus: number, memoryGiB: number, gpus = 0): InstanceType => ({ name, vcpus, memoryGiB, gpus });

/** Sizes by family, as Azure lists them for managed online endpoints. */
export const INSTANCE_TYPES: readonly InstanceType[] = [
  // General purpose: Dv2/DSv2, Dv3/Dsv3, Dav4/Dasv4
  size('Standard_D1_v2', 1, 3.5), size('Standard_D2_v2', 2, 7), size('Standard_D3_v2', 4, 14), size('Standard_D4_v2', 8, 28),
  size('Standard_DS1_v2', 1, 3.5), size('Standard_DS2_v2', 2, 7), size('Standard_DS3_v2', 4, 14), size('Standard_DS4_v2', 8, 28),
  size('Standard_DS5_v2', 16, 56),
  size('Standard_D2_v3', 2, 8), size('Standard_D4_v3', 4, 16), size('Standard_D8_v3', 8, 32), size('Standard_D16_v3', 16, 64),
  size('Standard_D32_v3', 32, 128), size('Standard_D48_v3', 48, 192), size('Standard_D64_v3', 64, 256),
  size('Standard_D2s_v3', 2, 8), size('Standard_D4s_v3', 4, 16), size('Standard_D8s_v3', 8, 32), size('Standard_D16s_v3', 16, 64),
  size('Standard_D32s_v3', 32, 128), size('Standard_D48s_v3', 48, 192), size('Standard_D64s_v3', 64, 256),
  size('Standard_D2a_v4', 2, 8), size('Standard_D4a_v4', 4, 16), size('Standard_D8a_v4', 8, 32), size('Standard_D16a_v4', 16, 64),
  size('Standard_D32a_v4', 32, 128), size('Standard_D48a_v4', 48, 192), size('Standard_D64a_v4', 64, 256), size('Standard_D96a_v4', 96, 384),
  size('Standard_D2as_v4', 2, 8), size('Standard_D4as_v4', 4, 16), size('Standard_D8as_v4', 8, 32), size('Standard_D16as_v4', 16, 64),
  size('Standard_D32as_v4', 32, 128), size('Standard_D48as_v4', 48, 192), size('Standard_D64as_v4', 64, 256), size('Standard_D96as_v4', 96, 384),
  // Memory optimised: DSv2 11-15, Ev3/Esv3, Eav4/Easv4
  size('Standard_DS11_v2', 2, 14), size('Standard_DS12_v2', 4, 28), size('Standard_DS13_v2', 8, 56), size('Standard_DS14_v2', 16, 112),
  size('Standard_DS15_v2', 20, 140),
  size('Standard_E2s_v3', 2, 16), size('Standard_E4s_v3', 4, 32), size('Standard_E8s_v3', 8, 64), size('Standard_E16s_v3', 16, 128),
  size('Standard_E32s_v3', 32, 256), size('Standard_E48s_v3', 48, 384), size('Standard_E64s_v3', 64, 432),
  size('Standard_E2_v3', 2, 16), size('Standard_E4_v3', 4, 32), size('Standard_E8_v3', 8, 64), size('Standard_E16_v3', 16, 128),
  size('Standard_E32_v3', 32, 256), size('Standard_E48_v3', 48, 384), size('Standard_E64_v3', 64, 432),
  size('Standard_E2as_v4', 2, 16), size('Standard_E4as_v4', 4, 32), size('Standard_E8as_v4', 8, 64), size('Standard_E16as_v4', 16, 128),
  size('Standard_E32as_v4', 32, 256), size('Standard_E48as_v4', 48, 384), size('Standard_E64as_v4', 64, 512), size('Standard_E96as_v4', 96, 672),
  // Compute optimised: Fsv2
  size('Standard_F2s_v2', 2, 4), size('Standard_F4s_v2', 4, 8), size('Standard_F8s_v2', 8, 16), size('Standard_F16s_v2', 16, 32),
  size('Standard_F32s_v2', 32, 64), size('Standard_F48s_v2', 48, 96), size('Standard_F64s_v2', 64, 128), size('Standard_F72s_v2', 72, 144),
  // GPU: NCv3, NCasT4_v3, NC A100 v4
  size('Standard_NC6s_v3', 6, 112, 1), size('Standard_NC12s_v3', 12, 224, 2), size('Standard_NC24s_v3', 24, 448, 4),
  size('Standard_NC24rs_v3', 24, 448, 4),
  size('Standard_NC4as_T4_v3', 4, 28, 1), size('Standard_NC8as_T4_v3', 8, 56, 1), size('Standard_NC16as_T4_v3', 16, 110, 1),
  size('Standard_NC64as_T4_v3', 64, 440, 4),
  size('Standard_NC24ads_A100_v4', 24, 220, 1), size('Standard_NC48ads_A100_v4', 48, 440, 2), size('Standard_NC96ads_A100_v4', 96, 880, 4),
];

const BY_NAME = new Map(INSTANCE_TYPES.map((t) => [t.name.toLowerCase(), t]));

/** The size named `name` (case-insensitive), or undefined. */
export function instanceType(name: string): InstanceType | undefined {
  return BY_NAME.get(name.toLowerCase());
}

/** Bytes of memory of a size: the default per-instance memory limit. */
export const memoryBytesOf = (t: InstanceType): number => Math.round(t.memoryGiB * 2 ** 30);

/** Kubernetes quantity of a size's memory (`14Gi`, `3584Mi`), as `show` reports it. */
export const memoryQuantityOf = (t: InstanceType): string =>
  Number.isInteger(t.memoryGiB) ? `${t.memoryGiB}Gi` : `${Math.round(t.memoryGiB * 1024)}Mi`;

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

/** The `count` known names closest to `name`: those it begins, then by edit distance (ignoring case). */
export function closestInstanceTypes(name: string, count = 3): string[] {
  const wanted = name.toLowerCase();
  return INSTANCE_TYPES
    .map((t) => ({ name: t.name, p: t.name.toLowerCase().startsWith(wanted) ? 0 : 1, d: editDistance(wanted, t.name.toLowerCase()) }))
    .sort((x, y) => x.p - y.p || x.d - y.d || x.name.localeCompare(y.name))
    .slice(0, count)
    .map((x) => x.name);
}
