// Child process of the kill-safety test: commits writes through the store (a SQLite file, or the
// postgres:// URL given instead), reports each on stdout once the call has returned, and keeps writing
// until it is killed with SIGKILL.
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { PgStore } from '../../src/store/pg-store.js';
import { newKeys, newTokenSecret } from '../../src/store/credentials.js';

const target = process.argv[2]!;
const store = target.startsWith('postgres://') ? await PgStore.open(target) : new SqliteStore(target);
let i = 0;
const tick = () => {
  const name = `ep-${String(i).padStart(4, '0')}`;
  store.insertEndpoint(name, {
    spec: { name, tags: {}, auth_mode: 'key', traffic: {}, mirror_traffic: {}, public_network_access: 'enabled' },
    provisioning_state: 'Creating', keys: newKeys(), token_secret: newTokenSecret(),
  });
  process.stdout.write(`${name}\n`);
  i++;
  setTimeout(tick, 1);
};
tick();
