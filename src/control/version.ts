// The package version, shown by /api/v1/health and the OpenAPI document. package.json sits two levels
// up from both src/control/ and dist/control/.
import { createRequire } from 'node:module';

export const SWITCHYARD_VERSION: string = (() => {
  try {
    return (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
  } catch {
    return '0.0.0';
  }
})();
