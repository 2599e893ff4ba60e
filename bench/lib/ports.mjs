// A free TCP port on 127.0.0.1 for peers that need one written into their config (nginx, gunicorn).
import { createServer } from 'node:net';

export const freePort = () => new Promise((resolve, reject) => {
  const s = createServer();
  s.once('error', reject);
  s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
});
