// CPU placement for the latency/overhead benchmarks (B1, B2): the system under test (instances,
// gateway or nginx) shares CPU 0 and the load generator gets CPU 1, so every row has the same CPU
// budget and the generator never steals cycles from what it measures. B3 and B4 do not pin: they
// measure the whole machine, as a user's would be used.
import { cpus } from 'node:os';
import { spawnSync } from 'node:child_process';

const hasTaskset = spawnSync('taskset', ['-V']).status === 0;

export const placement = () => (cpus().length >= 2 && hasTaskset
  ? { sut: '0', load: '1', note: 'system under test pinned to CPU 0, load generator to CPU 1 (taskset)' }
  : { sut: null, load: null, note: 'not pinned (fewer than 2 CPUs or no taskset)' });
