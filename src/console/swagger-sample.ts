// The sample input a deployment publishes in its swagger.json, as Studio's Test tab loads it: the
// example of the scoring request in an OpenAPI 3 document (request body example or schema example),
// or inference-schema's Swagger 2 `definitions.ServiceInput.example`. Null when there is none.

const obj = (v: unknown): Record<string, unknown> | null => (v && typeof v === 'object' && !Array.isArray(v) ? v as Record<string, unknown> : null);

function firstExample(media: Record<string, unknown> | null): unknown {
  if (!media) return undefined;
  if (media.example !== undefined) return media.example;
  const examples = obj(media.examples);
  if (examples) {
    for (const e of Object.values(examples)) {
      const value = obj(e)?.value;
      if (value !== undefined) return value;
    }
  }
  return obj(media.schema)?.example;
}

export function sampleFromSwagger(doc: unknown): string | null {
  const root = obj(doc);
  if (!root) return null;
  const paths = obj(root.paths);
  for (const [path, item] of Object.entries(paths ?? {})) {
    if (!/score\/?$/.test(path)) continue;
    const post = obj(obj(item)?.post);
    const content = obj(obj(post?.requestBody)?.content);
    const example = firstExample(obj(content?.['application/json']));
    if (example !== undefined) return JSON.stringify(example, null, 2);
    for (const p of Array.isArray(post?.parameters) ? post.parameters : []) {
      const schemaExample = obj(obj(p)?.schema)?.example;
      if (schemaExample !== undefined) return JSON.stringify(schemaExample, null, 2);
    }
  }
  const inputExample = obj(obj(root.definitions)?.ServiceInput)?.example;
  if (inputExample !== undefined) return JSON.stringify(inputExample, null, 2);
  return null;
}
