// What a pod is as an instance, and when a pod's state fails a rollout (src/runtime/kubernetes/pod-instances.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import { podInstance, podProblem, podState } from '../../src/runtime/kubernetes/pod-instances.js';

const server = (s: Partial<V1ContainerStatus>): V1ContainerStatus => ({ name: 'inference-server', image: 'i', imageID: '', ready: false, restartCount: 0, ...s });
const init = (s: Partial<V1ContainerStatus>): V1ContainerStatus => ({ name: 'storage-initializer', image: 'i', imageID: '', ready: false, restartCount: 0, ...s });

function pod(status: V1Pod['status'], meta: Partial<NonNullable<V1Pod['metadata']>> = {}): V1Pod {
  return {
    metadata: { name: 'p-1', labels: { 'switchyard.io/revision': 'r1' }, creationTimestamp: new Date('2026-01-01T00:00:00Z'), ...meta },
    spec: { containers: [{ name: 'inference-server' }], nodeName: 'node-a' },
    status,
  };
}

test('pod states', () => {
  assert.equal(podState(pod({ phase: 'Pending' })), 'Starting');
  assert.equal(podState(pod({ phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] })), 'Ready');
  assert.equal(podState(pod({ phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] }, { deletionTimestamp: new Date() })), 'Stopping');
  assert.equal(podState(pod({ phase: 'Running', containerStatuses: [server({ restartCount: 2, state: { waiting: { reason: 'CrashLoopBackOff' } } })] })), 'Unhealthy');
  assert.equal(podState(pod({ phase: 'Running', containerStatuses: [server({ started: true, ready: false })] })), 'Unhealthy');
  assert.equal(podState(pod({ phase: 'Failed' })), 'Failed');
});

test('a pod as show lists it', () => {
  const view = podInstance(pod({ phase: 'Running', podIP: 'fd00::5', startTime: new Date('2026-01-01T00:00:05Z'), conditions: [{ type: 'Ready', status: 'True' }],
    containerStatuses: [server({ ready: true, restartCount: 1 })] }), 5001, 'switchyard.io/revision');
  assert.deepEqual(view, { name: 'p-1', state: 'Ready', pid: null, url: 'http://[fd00::5]:5001', restarts: 1, started_at: '2026-01-01T00:00:05.000Z', revision: 'r1', node: 'node-a' });
  assert.equal(podInstance(pod({ phase: 'Pending' }), 5001, 'switchyard.io/revision').url, null);
});

test('what fails a rollout, and what does not yet', () => {
  assert.equal(podProblem(pod({ phase: 'Pending' }), 5), null);
  assert.equal(podProblem(pod({ phase: 'Pending', initContainerStatuses: [init({ restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff' } } })] }), 5), null);
  assert.equal(podProblem(pod({ phase: 'Pending', initContainerStatuses: [init({ restartCount: 5, state: { waiting: { reason: 'CrashLoopBackOff' } } })] }), 5)?.reason, 'InitFailed');
  assert.equal(podProblem(pod({ phase: 'Pending', containerStatuses: [server({ state: { waiting: { reason: 'ImagePullBackOff', message: 'not found' } } })] }), 5)?.reason, 'EnvironmentUnsatisfied');
  assert.equal(podProblem(pod({ phase: 'Running', containerStatuses: [server({ restartCount: 5, lastState: { terminated: { exitCode: 1 } } })] }), 5)?.reason, 'InstanceFailed');
  assert.match(podProblem(pod({ phase: 'Running', containerStatuses: [server({ restartCount: 5, lastState: { terminated: { exitCode: 137, reason: 'OOMKilled' } } })] }), 5)!.message, /exit code 137 \(OOMKilled\)/);
  assert.equal(podProblem(pod({ phase: 'Running', containerStatuses: [server({ restartCount: 9, ready: true })] }), 5), null);
  assert.equal(podProblem(pod({ phase: 'Running', containerStatuses: [server({ restartCount: 9 })] }, { deletionTimestamp: new Date() }), 5), null);
});
