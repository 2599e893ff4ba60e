// What the Kubernetes backend may do in its namespace, and nothing more: the rules of the Role in
// deploy/kubernetes/rbac.yaml (a test compares them) and of docs/kubernetes.md, "RBAC".
//   - apply (server-side apply: PATCH; `create` too, since applying an object that does not exist yet
//     creates it) and delete the three objects of each deployment (manifests.ts);
//   - list and watch Deployments and Pods (the informers behind routing snapshots and `show`);
//   - read pod logs (`get-logs`, both containers).
// No cluster-wide access, no `get` of Secrets (the backend writes them and never reads them back), no
// pods/exec, no escalation.
export interface ApiAccessRule {
  /** '' is the core API group. */
  apiGroup: string;
  resource: string;
  verbs: readonly string[];
}

export const KUBERNETES_API_ACCESS: readonly ApiAccessRule[] = [
  { apiGroup: 'apps', resource: 'deployments', verbs: ['create', 'patch', 'delete', 'list', 'watch'] },
  { apiGroup: '', resource: 'services', verbs: ['create', 'patch', 'delete'] },
  { apiGroup: '', resource: 'secrets', verbs: ['create', 'patch', 'delete'] },
  { apiGroup: '', resource: 'pods', verbs: ['list', 'watch'] },
  { apiGroup: '', resource: 'pods/log', verbs: ['get'] },
];
