// nginx as the peer reverse proxy: a config rendered per scenario into its own temporary prefix
// (config, pid file, logs, temp paths), listening on 127.0.0.1 only, run in the foreground as our
// child so that stopping it is stopping a process we started.
//
// Scenario shape (the same words as an endpoint's traffic):
//   upstreams: { blue: ['127.0.0.1:PORT', ...], green: [...] }   keep-alive pools per deployment
//   traffic:   [{ upstream: 'blue', percent: 90 }, { upstream: 'green', percent: 10 }]  (split_clients)
//   mirror:    { upstream: 'shadow', percent: 10 } | null                               (mirror module)
//   key:       the Bearer key nginx checks, so it does the same auth work as the gateway
import { mkdirSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { start, stop, waitHttp } from './procs.mjs';

const proxyCommon = `proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;`;

export function renderConfig({ prefix, port, path, upstreams, traffic, mirror = null, key, workers = 1 }) {
  const ups = Object.entries(upstreams).map(([name, servers]) =>
    `  upstream ${name} {\n${servers.map((s) => `    server ${s};`).join('\n')}\n    keepalive 64;\n    keepalive_requests 1000000;\n    keepalive_timeout 60s;\n  }`).join('\n');
  // One live target is a plain proxy_pass; a split picks the upstream per request with split_clients.
  const single = traffic.length === 1;
  const split = single ? '' : `  split_clients "\${request_id}" $live_upstream {\n${traffic.map((t, i) => `    ${i === traffic.length - 1 ? '*' : `${t.percent}%`} ${t.upstream};`).join('\n')}\n  }`;
  const livePass = single ? `proxy_pass http://${traffic[0].upstream}/score;` : 'proxy_pass http://$live_upstream/score;';
  // nginx mirrors every request of a location; a percentage is a second split_clients that makes the
  // mirror subrequest return at once for the requests outside the sample (the usual recipe).
  let mirrorSplit = '', mirrorDirective = '', mirrorLocation = '';
  if (mirror && mirror.percent > 0) {
    if (mirror.percent < 100) mirrorSplit = `  split_clients "m\${request_id}" $mirror_on {\n    ${mirror.percent}% 1;\n    * 0;\n  }`;
    mirrorDirective = 'mirror /_mirror;\n      mirror_request_body on;';
    mirrorLocation = `
    location = /_mirror {
      internal;
      ${mirror.percent < 100 ? 'if ($mirror_on = 0) { return 204; }' : ''}
      proxy_pass http://${mirror.upstream}/score;
      ${proxyCommon}
    }`;
  }
  return `# Rendered by bench/lib/nginx.mjs; one scenario of the benchmarks.
${process.getuid?.() === 0 ? 'user root;' : ''}
worker_processes ${workers};
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${prefix}/tmp/body;
  proxy_temp_path ${prefix}/tmp/proxy;
  fastcgi_temp_path ${prefix}/tmp/fastcgi;
  uwsgi_temp_path ${prefix}/tmp/uwsgi;
  scgi_temp_path ${prefix}/tmp/scgi;
  keepalive_timeout 65s;
  keepalive_requests 1000000;
${ups}
${split}
${mirrorSplit}
  server {
    listen 127.0.0.1:${port};
    if ($http_authorization != "Bearer ${key}") { return 401; }
    location = ${path} {
      ${mirrorDirective}
      ${livePass}
      ${proxyCommon}
    }${mirrorLocation}
  }
}
`;
}

/** Render, start, wait until it answers; returns {child, url, configPath, stop()}. */
export async function startNginx(scenario, { cpus, port } = {}) {
  const prefix = mkdtempSync(join(tmpdir(), 'switchyard-bench-nginx-'));
  mkdirSync(join(prefix, 'tmp'), { recursive: true });
  const configPath = join(prefix, 'nginx.conf');
  writeFileSync(configPath, renderConfig({ ...scenario, prefix, port }));
  const child = start('nginx', 'nginx', ['-p', prefix + '/', '-c', configPath, '-e', join(prefix, 'error.log'), '-g', 'daemon off;'], { cpus, log: join(prefix, 'stdout.log') });
  const base = `http://127.0.0.1:${port}`;
  // Unauthenticated GET answers 401 from nginx itself: ready without touching the upstreams.
  await waitHttp(base + '/', { child, okStatus: 401, timeoutMs: 10000 });
  const stopNginx = async () => {
    await stop(child, { sig: 'SIGQUIT', graceMs: 3000 });
    rmSync(prefix, { recursive: true, force: true });
  };
  return { child, url: base + scenario.path, configPath, prefix, stop: stopNginx };
}
