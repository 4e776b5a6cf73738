import type { OperationText, PolicyPlugin } from './plugin';
import { proceed, refuse, type Verdict } from './refusal';

/**
 * Safelist mode: only operations whose text hashes to an id of the manifest (see readSafelist) run;
 * the gateway's own operations are exempt. The exact text counts, so a respelling is refused too.
 */
export const safelistCheck =
  (allowed: ReadonlySet<string>) =>
  ({ queryHash, internal }: OperationText): Verdict =>
    internal || allowed.has(queryHash)
      ? proceed()
      : refuse({
          code: 'OPERATION_NOT_SAFELISTED',
          message: 'This operation is not in the safelist',
          httpStatus: 403,
        });

export function useSafelist(allowed: ReadonlySet<string>): PolicyPlugin {
  return { name: 'safelist', onOperation: safelistCheck(allowed) };
}
