// Which cluster `serve --backend kubernetes` talks to: --kubeconfig PATH when given; else, running in a
// pod, the pod's service account (KubeConfig.loadFromCluster); else $KUBECONFIG or ~/.kube/config
// (kubectl's rules). The namespace is the Kubernetes settings' (settings.ts: --namespace, then
// SWITCHYARD_KUBERNETES_NAMESPACE, then the pod's own, then `switchyard`), the same one
// `online-deployment manifests` prints.
import { KubeConfig } from '@kubernetes/client-node';
import { SwitchyardError } from '../../errors.js';

export interface ClusterConnection {
  kubeConfig: KubeConfig;
  namespace: string;
  /** Where the configuration came from (logged at start). */
  source: string;
  server: string;
}

export interface ClusterConnectionOptions {
  kubeconfig?: string;
  namespace: string;
  env?: NodeJS.ProcessEnv;
}

export function connectCluster(options: ClusterConnectionOptions): ClusterConnection {
  const env = options.env ?? process.env;
  const kubeConfig = new KubeConfig();
  let source: string;
  try {
    if (options.kubeconfig) {
      kubeConfig.loadFromFile(options.kubeconfig);
      source = options.kubeconfig;
    } else if (env.KUBERNETES_SERVICE_HOST) {
      kubeConfig.loadFromCluster();
      source = 'in-cluster service account';
    } else {
      kubeConfig.loadFromDefault();
      source = env.KUBECONFIG ? `$KUBECONFIG (${env.KUBECONFIG})` : '~/.kube/config';
    }
  } catch (e) {
    throw new SwitchyardError('InvalidValue', `Cannot load the Kubernetes configuration${options.kubeconfig ? ` from ${options.kubeconfig}` : ''}: ${(e as Error).message}. ` +
      'Pass --kubeconfig PATH (a kubeconfig file), or run the server in a pod with a service account.');
  }
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) {
    throw new SwitchyardError('InvalidValue', `The Kubernetes configuration (${source}) has no current context with a cluster. ` +
      'Pass --kubeconfig PATH, or set its current-context (kubectl config use-context NAME).');
  }
  return { kubeConfig, namespace: options.namespace, source, server: cluster.server };
}
