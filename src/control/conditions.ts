// Status conditions of a deployment (type, True/False/Unknown, reason, message, time), in the manner of
// Kubernetes controllers: the transition time moves only when the status changes, so `show` tells how
// long a deployment has been Ready or not.
import type { Condition } from '../spec/types.js';

export function setCondition(
  conditions: readonly Condition[], next: Omit<Condition, 'last_transition_time'>, now: string,
): Condition[] {
  const prior = conditions.find((c) => c.type === next.type);
  const time = prior && prior.status === next.status ? prior.last_transition_time : now;
  const updated: Condition = { ...next, last_transition_time: time };
  return [...conditions.filter((c) => c.type !== next.type), updated].sort((a, b) => a.type.localeCompare(b.type));
}

export function sameConditions(a: readonly Condition[], b: readonly Condition[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
