// Which operations may start while others run on the same endpoint (docs/compatibility.md, "Names and limits": conflicting operations
// → 409). Pure, so the rules are tested as a table.
//
// - Deployment changes conflict with any running operation of the endpoint: rollouts of two deployments
//   at once would make traffic changes and failures hard to reason about (Azure refuses them too).
// - Endpoint updates (traffic, mirror, description ...) are routing changes applied at once; they may
//   run while a deployment is being created or updated (that is how `--all-traffic` and the walkthrough
//   move traffic), but not during another endpoint-level operation.
// - Endpoint delete supersedes everything except another delete: `deployment delete --no-wait` followed
//   by `endpoint delete --no-wait` is the walkthrough's last step.
import type { Operation } from '../spec/types.js';

export type OperationKind = Operation['kind'];

/** The running operation the new one conflicts with, or undefined. */
export function conflictingOperation(kind: OperationKind, running: readonly Operation[]): Operation | undefined {
  switch (kind) {
    case 'endpoint.delete':
      return running.find((op) => op.kind === 'endpoint.delete');
    case 'endpoint.update':
    case 'endpoint.create':
      return running.find((op) => op.kind.startsWith('endpoint.'));
    default:
      return running[0];
  }
}

export function describeOperation(op: Operation): string {
  const target = op.deployment ? `deployment ${JSON.stringify(op.deployment)} of endpoint ${JSON.stringify(op.endpoint)}` : `endpoint ${JSON.stringify(op.endpoint)}`;
  return `${op.kind} of ${target} (operation ${op.id}, started ${op.created_at})`;
}
