// Lines of one instance out of a deployment's merged log: the server prefixes each merged line with
// `[instance] ` (src/runtime/local/log-files.ts mergeTails). An empty instance keeps every line.
export function linesOfInstance(text: string, instance: string): string {
  if (!instance) return text;
  const prefix = `[${instance}] `;
  return text.split('\n').filter((l) => l.startsWith(prefix)).map((l) => l.slice(prefix.length)).join('\n');
}
