// What a pod is as an instance (for `show` and routing snapshots), and what a failing pod says about
// its deployment's rollout. Pure: the Kubernetes backend feeds it the pods its watch holds.
import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import type { InstanceView } from '../../spec/types.js';
import { INFERENCE_SERVER, STORAGE_INITIALIZER } from './manifests.js';

/** Waiting reasons that do not go away by waiting: the rollout fails at once. */
const FATAL_WAITING = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'CreateContainerConfigError', 'CreateContainerError']);

const ready = (pod: V1Pod): boolean => pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;

const statusOf = (pod: V1Pod, name: string, init = false): V1ContainerStatus | undefined =>
  (init ? pod.status?.initContainerStatuses : pod.status?.containerStatuses)?.find((s) => s.name === name);

/** The URL the gateway sends requests to: the pod's IP and the inference-server's port. */
export function podUrl(pod: V1Pod, port: number): string | null {
  const ip = pod.status?.podIP;
  if (!ip) return null;
  return `http://${ip.includes(':') ? `[${ip}]` : ip}:${port}`;
}

/**
 * The pod's state in Switchyard's words: Stopping once it is being deleted, Failed once its phase says
 * it ended, Ready when Kubernetes says so (readiness probe passed), Unhealthy when the scoring server
 * crashed or stopped passing its probes after starting, else Starting (scheduling, pulling, the
 * storage-initializer running, the scoring server loading).
 */
export function podState(pod: V1Pod): InstanceView['state'] {
  if (pod.metadata?.deletionTimestamp) return 'Stopping';
  const phase = pod.status?.phase;
  if (phase === 'Failed' || phase === 'Succeeded') return 'Failed';
  if (ready(pod)) return 'Ready';
  const server = statusOf(pod, INFERENCE_SERVER);
  if (server && (server.restartCount > 0 || server.state?.waiting?.reason === 'CrashLoopBackOff' || (server.started && !server.ready))) return 'Unhealthy';
  return 'Starting';
}

/** `show`'s instances[] entry for a pod (Kubernetes has no pid: null; `node` is where it runs). */
export function podInstance(pod: V1Pod, port: number, revisionLabel: string): InstanceView & { node?: string } {
  const view: InstanceView & { node?: string } = {
    name: pod.metadata?.name ?? '',
    state: podState(pod),
    pid: null,
    url: podUrl(pod, port),
    restarts: statusOf(pod, INFERENCE_SERVER)?.restartCount ?? 0,
    started_at: toIso(pod.status?.startTime ?? pod.metadata?.creationTimestamp),
    revision: pod.metadata?.labels?.[revisionLabel] ?? '',
  };
  if (pod.spec?.nodeName) view.node = pod.spec.nodeName;
  return view;
}

export interface PodProblem {
  /** InitFailed (storage-initializer), EnvironmentUnsatisfied (the image), InstanceFailed (the scoring server). */
  reason: 'InitFailed' | 'EnvironmentUnsatisfied' | 'InstanceFailed';
  message: string;
}

/**
 * Why this pod will not become Ready without a change, or null while it may still: an image that cannot
 * be pulled, a container that cannot be created, a storage-initializer or scoring server that crashed
 * `maxRestarts` times, a pod that ended. Kubernetes keeps retrying; the rollout reports the failure.
 */
export function podProblem(pod: V1Pod, maxRestarts: number): PodProblem | null {
  const name = pod.metadata?.name ?? 'a pod';
  if (pod.metadata?.deletionTimestamp) return null;
  const checks: Array<[V1ContainerStatus | undefined, PodProblem['reason']]> = [
    [statusOf(pod, STORAGE_INITIALIZER, true), 'InitFailed'],
    [statusOf(pod, INFERENCE_SERVER), 'InstanceFailed'],
  ];
  for (const [s, reason] of checks) {
    if (!s) continue;
    const waiting = s.state?.waiting;
    const last = s.lastState?.terminated ?? s.state?.terminated;
    const detail = [waiting?.reason, waiting?.message, last ? `last exit code ${last.exitCode}${last.reason ? ` (${last.reason})` : ''}` : '']
      .filter(Boolean).join(': ');
    if (waiting?.reason && FATAL_WAITING.has(waiting.reason)) {
      return {
        reason: waiting.reason.includes('Image') ? 'EnvironmentUnsatisfied' : reason,
        message: `Pod ${name}: container ${s.name} cannot start: ${detail}.`,
      };
    }
    if (s.restartCount >= maxRestarts && !s.ready) {
      return {
        reason,
        message: `Pod ${name}: container ${s.name} failed ${s.restartCount} times (${detail || 'not ready'}). ` +
          `Read its output with \`switchyard online-deployment get-logs${reason === 'InitFailed' ? ' --container storage-initializer' : ''}\`.`,
      };
    }
  }
  if (pod.status?.phase === 'Failed') {
    return { reason: 'InstanceFailed', message: `Pod ${name} failed: ${pod.status.reason ?? ''} ${pod.status.message ?? ''}`.trim() };
  }
  return null;
}

function toIso(v: Date | string | undefined): string {
  if (!v) return new Date(0).toISOString();
  return typeof v === 'string' ? v : v.toISOString();
}
