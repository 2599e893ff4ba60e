// Where the rollout controller reads whether the candidate's answers agree with production's: the shadow
// comparison (comparison-service.ts) pairs each mirrored answer with the live one. The controller only
// needs this small view of it; control-plane.ts wires it to the ComparisonService. A server without a
// comparison passes null, and a policy with min_agreement is then refused at start.
import type { AgreementReading } from './rollout-gates.js';
import type { ComparisonService } from './comparison-service.js';

export interface AgreementSource {
  /** Starts a window of the endpoint's comparison now; the Date is then an exact `since`. */
  mark(endpoint: string): Date;
  /** Pairs compared for `candidate` (as a shadow of `endpoint`) since `since`, and the share that agreed. */
  read(endpoint: string, candidate: string, since: Date): Promise<AgreementReading | undefined>;
}

export function comparisonAgreement(comparison: Pick<ComparisonService, 'read' | 'mark'>): AgreementSource {
  return {
    mark: (endpoint) => comparison.mark(endpoint),
    async read(endpoint, candidate, since) {
      const [shadow] = comparison.read(endpoint, candidate, { since, samples: false });
      if (!shadow || shadow.pairs === 0 || shadow.agreement === null) return undefined;
      return { pairs: shadow.pairs, agreement: shadow.agreement };
    },
  };
}
