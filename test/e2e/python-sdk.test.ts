// The Python client (clients/python) as a notebook user runs it: its unittest suite runs under Debian's
// /usr/bin/python3 against a real server that the suite starts from this repository's bin/switchyard
// (ephemeral ports, temporary data dir, stopped by its pid). clients/python/tests/run.py prints one JSON
// line per Python test; each becomes a node:test subtest here, so CI counts them.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, ensureBuilt } from './cli-harness.js';

const PYTHON = '/usr/bin/python3';
const RUNNER = join(ROOT, 'clients', 'python', 'tests', 'run.py');
const PREFIX = 'SWITCHYARD-PYTEST ';
const TIMEOUT_MS = 360_000;

interface PyResult { id: string; name: string; status: 'pass' | 'fail' | 'skip'; ms: number; message: string }

function runPythonSuite(): Promise<{ code: number | null; results: PyResult[]; stderr: string }> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env };
    for (const k of Object.keys(env)) if (k.startsWith('SWITCHYARD_') || k === 'PYTHONPATH') delete env[k];
    const child = spawn(PYTHON, [RUNNER], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const results: PyResult[] = [];
    let buffered = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (line.startsWith(PREFIX)) results.push(JSON.parse(line.slice(PREFIX.length)) as PyResult);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    // SIGTERM lets the runner stop the server it started (atexit); bounded in time.
    const timer = setTimeout(() => child.kill('SIGTERM'), TIMEOUT_MS);
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, results, stderr }); });
  });
}

describe('Python SDK (clients/python) against a real server', { timeout: TIMEOUT_MS + 60_000 }, () => {
  it('runs every Python test; each is a subtest', { skip: existsSync(PYTHON) ? false : `${PYTHON} is missing` }, async (t) => {
    ensureBuilt();
    const { code, results, stderr } = await runPythonSuite();
    assert.ok(results.length > 0, `the Python runner reported no test (exit ${code})\n${stderr.slice(-4000)}`);
    for (const r of results) {
      await t.test(r.name, { skip: r.status === 'skip' ? r.message || true : false }, () => {
        if (r.status === 'fail') assert.fail(`${r.id} (${r.ms} ms)\n${r.message}`);
      });
    }
    t.diagnostic(stderr.trim().split('\n').slice(-1)[0] ?? '');
    assert.equal(code, 0, `the Python runner exited with ${code}\n${stderr.slice(-4000)}`);
  });
});
