// The green model for JavaScript/TypeScript users: the same contract as score.py (init once per
// instance, run per request), scoring with model-2's coefficients exported by train.py, so it answers
// like the Python green deployment without needing numpy or scikit-learn.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

let model;

export async function init() {
  // Same layout as Python: the registered folder keeps its name under AZUREML_MODEL_DIR.
  const modelPath = join(process.env.AZUREML_MODEL_DIR ?? '.', 'model', 'linear_model.json');
  model = JSON.parse(await readFile(modelPath, 'utf8'));
  if (!Array.isArray(model.coef) || typeof model.intercept !== 'number') {
    throw new Error(`${modelPath}: expected {intercept: number, coef: number[]}`);
  }
  console.info('Init complete');
}

export function run(rawData, requestHeaders) {
  console.info('model 2 (js): request received');
  const { data } = JSON.parse(rawData);
  if (!Array.isArray(data)) throw new Error('the body must be {"data": [[...], ...]}');
  const result = data.map((row, i) => {
    // A wrong width would silently give a wrong answer; say what was sent instead.
    if (!Array.isArray(row) || row.length !== model.coef.length) {
      throw new Error(`row ${i} has ${Array.isArray(row) ? row.length : 'no'} features, expected ${model.coef.length}`);
    }
    return row.reduce((sum, x, j) => sum + Number(x) * model.coef[j], model.intercept);
  });
  console.info('Request processed');
  return result;
}
