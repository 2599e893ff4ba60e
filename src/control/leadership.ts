// Which replica does the work that must happen once: the reconciler's passes and the rollout
// controller's. A single server always leads (no Leadership given). With several replicas sharing a
// PostgreSQL store (server/replicas/), a follower hands each piece of work to the leader instead.
export type LeaderWork =
  | { kind: 'endpoint'; endpoint: string }
  | { kind: 'deployment'; endpoint: string; deployment: string }
  | { kind: 'rollout'; endpoint: string };

export interface Leadership {
  leading(): boolean;
  /** Hands the work to the leader (fire and forget: the leader also resyncs what is in flight). */
  forward(work: LeaderWork): void;
}
