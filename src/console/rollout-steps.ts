// A rollout step in words, a policy duration in milliseconds (docs/rollout.md: an integer and a unit,
// ms, s, m or h), and the actions a rollout's state allows. Pure.
import type { RolloutView } from '../sdk/types.js';

type Step = RolloutView['spec']['policy']['steps'][number];

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function durationMs(text: string | undefined): number | null {
  const m = text ? /^(\d+)(ms|s|m|h)$/.exec(text.trim()) : null;
  return m ? Number(m[1]) * UNIT_MS[m[2]!]! : null;
}

export function stepLabel(step: Step): string {
  const kind = 'shadow' in step ? `shadow ${step.shadow}%` : `traffic ${step.traffic}%`;
  return step.duration ? `${kind} for ${step.duration}` : kind;
}

export type RolloutAction = 'pause' | 'resume' | 'abort' | 'promote';

/** The actions the server accepts in a state (409 RolloutNotActive otherwise). */
export function actionsFor(state: string): RolloutAction[] {
  if (state === 'Progressing') return ['pause', 'promote', 'abort'];
  if (state === 'Paused') return ['resume', 'promote', 'abort'];
  return [];
}
