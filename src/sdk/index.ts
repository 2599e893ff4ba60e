// The Switchyard SDK: a typed client of the control plane's REST API (docs/rest-api.md).
export { SwitchyardClient, type ClientOptions, type WaitOptions } from './client.js';
export { Transport, errorFromResponse, unreachable, type FetchLike, type TransportOptions } from './transport.js';
export { packArtifact, type PackedArtifact } from './upload.js';
export type * from './types.js';
export { score, scoringError, type ScoreOptions, type ScoreResponse } from './scoring.js';
