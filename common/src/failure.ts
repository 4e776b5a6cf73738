/**
 * Whether retrying the same work can succeed. The one notion of "permanent" in the repository: a
 * consumer dead-letters what is permanent and retries what is transient (as KafkaJS's `retriable`).
 */
export type FailureKind = 'permanent' | 'transient';

/** An error that says whether a retry can fix it. */
export class ClassifiedError extends Error {
  override name = 'ClassifiedError';
  constructor(
    message: string,
    readonly kind: FailureKind,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** An error that no retry can fix: the work is refused for good (e.g. the message is unusable). */
export class PermanentError extends ClassifiedError {
  override name = 'PermanentError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, 'permanent', options);
  }
}

/**
 * An error that does not say is transient: retrying an unknown failure is the safe default, since
 * giving up on work that a retry would have done loses it.
 */
export function failureKind(err: unknown): FailureKind {
  return err instanceof ClassifiedError ? err.kind : 'transient';
}
