import { Type, type Static } from '@sinclair/typebox';

/** One control-plane replica of a shared PostgreSQL store (GET /api/v1/replicas, docs/scale-out.md). */
export const Replica = Type.Object({
  id: Type.String({ description: 'Random per process start' }),
  host: Type.String(),
  pid: Type.Integer(),
  control_url: Type.String(),
  gateway_url: Type.String(),
  started_at: Type.String({ format: 'date-time' }),
  last_seen_seconds: Type.Number({ description: 'Seconds since its last heartbeat (about one a second)' }),
  live: Type.Boolean({ description: 'Heard from within the last 5 s' }),
  leader: Type.Boolean({ description: 'Holds the leader lock (read from PostgreSQL\'s lock table): runs the reconciler and the instances' }),
  leader_for_seconds: Type.Optional(Type.Number({ description: 'The leader\'s lease age: seconds since it took the lock' })),
});
export type ReplicaView = Static<typeof Replica>;

export const ReplicaList = Type.Object({
  replicated: Type.Boolean({ description: 'false: a single server (SQLite store), the list is empty' }),
  value: Type.Array(Replica),
});
