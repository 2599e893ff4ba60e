// The policy file of `rollout start -f` (docs/rollout.md): keys checked against the rollout policy
// schema, values typed as YAML writes them, then the whole policy checked as the REST API checks it,
// with the file and line of the first bad value. The rules between steps are the server's.
import type { RolloutPolicyInput } from '../../sdk/types.js';
import { RolloutPolicyInput as RolloutPolicySchema } from '../../spec/schema/rollout.js';
import { checkKeys } from './keys.js';
import { readYamlFile } from './read.js';
import { checkLoaded, withoutSchemaKey, yamlScalars } from './values.js';

export function loadRolloutPolicy(file: string, cwd: string): { policy: RolloutPolicyInput; file: string } {
  const { doc, source } = readYamlFile(file, cwd);
  checkKeys(doc, RolloutPolicySchema, source);
  const policy = yamlScalars(withoutSchemaKey(doc), RolloutPolicySchema) as RolloutPolicyInput;
  checkLoaded(RolloutPolicySchema, policy, [], source);
  return { policy, file: source.file ?? file };
}
