// Child process of the SIGTERM test: runs serve() on ephemeral ports and prints one JSON line with
// its URLs; it must exit by itself after SIGTERM (graceful close, no handle left open).
import { serve } from '../../src/server/serve.js';
import { silentLogger } from '../../src/logger.js';

const server = await serve({ port: 0, gatewayPort: 0, dataDir: process.argv[2]!, logger: silentLogger() });
process.stdout.write(JSON.stringify({ controlUrl: server.controlUrl, gatewayUrl: server.gatewayUrl }) + '\n');
