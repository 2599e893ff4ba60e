// What the signed-in role may do, from GET /api/v1/whoami (the server's permission table): the console
// shows a control only when the server would accept it. The server still checks every request.
import type { WhoAmI } from '../sdk/types.js';

export interface Capabilities {
  principal: string;
  role: string;
  createEndpoint: boolean;
  deleteEndpoint: boolean;
  editTraffic: boolean;
  listKeys: boolean;
  regenerateKeys: boolean;
  getToken: boolean;
  invoke: boolean;
  readLogs: boolean;
  readAudit: boolean;
  /** Pause, resume, abort, promote a rollout. */
  rollouts: boolean;
}

export function capabilitiesOf(who: WhoAmI): Capabilities {
  const can = (action: string) => who.actions.includes(action);
  return {
    principal: who.principal,
    role: who.role,
    createEndpoint: can('onlineEndpoints/write'),
    deleteEndpoint: can('onlineEndpoints/delete'),
    editTraffic: can('onlineEndpoints/write'),
    listKeys: can('onlineEndpoints/listKeys/action'),
    regenerateKeys: can('onlineEndpoints/regenerateKeys/action'),
    getToken: can('onlineEndpoints/token/action'),
    invoke: can('onlineEndpoints/score/action'),
    readLogs: can('onlineEndpoints/deployments/getLogs/action'),
    readAudit: can('auditLogs/read'),
    rollouts: can('onlineEndpoints/rollouts/write'),
  };
}
