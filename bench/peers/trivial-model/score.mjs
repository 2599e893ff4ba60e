// The trivial model as a Node scoring script, for Switchyard's Node host (docs/compatibility.md, "The scoring script", JavaScript form):
// the same answer as trivial-server.mjs. DELAY_MS (an environment variable of the deployment) makes
// it the slow shadow of B2.
const delayMs = Number(process.env.DELAY_MS ?? 0);

export function init() {}

export async function run(rawData) {
  if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
  return { ok: true, model: process.env.MODEL_NAME ?? 'trivial', bytes: rawData?.length ?? 0 };
}
