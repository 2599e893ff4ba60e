// What `show` prints for endpoints and deployments: the spec plus the read-only fields Azure ML shows
// (id, kind, location, provisioning_state, uris, properties, instances). Declared once, as schemas
// (schema/endpoint.ts, schema/deployment.ts): the control plane builds and serialises them
// (control/views.ts), the OpenAPI document describes them and the SDK reads them.
import type { Static } from '@sinclair/typebox';
import type { EndpointView as EndpointViewSchema } from './schema/endpoint.js';
import type { DeploymentView as DeploymentViewSchema } from './schema/deployment.js';

export type EndpointView = Static<typeof EndpointViewSchema>;

/** Kept extra keys (app_insights_enabled, resources, ...) appear at the top level. */
export type DeploymentView = Static<typeof DeploymentViewSchema> & { [extra: string]: unknown };
