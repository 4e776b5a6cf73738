import { print } from 'graphql';
import { onScopeDispose, ref, shallowRef } from 'vue';
import { ws } from '../apollo';
import type { TripUpdatedSubscription } from '../gql/graphql';
import { TripUpdatedDocument } from './documents';

export type TripUpdate = TripUpdatedSubscription['tripUpdated'];

/**
 * Every update of one trip, each exactly once and in version order, across dropped connections.
 *
 * graphql-ws re-sends a subscription's payload object when it reconnects. Ours names the last version
 * seen in `afterVersion`, updated as each update arrives, so the gateway replays exactly what was
 * missed (the subscription's contract: no gap, no duplicate). Versions at or below the last one seen
 * are dropped as well, should a replay and a live update ever cross.
 */
export function useTripUpdates(onUpdate: (update: TripUpdate) => void) {
  const updates = shallowRef<TripUpdate[]>([]);
  const error = ref<string>();
  const ended = ref(false);
  let stop: (() => void) | undefined;

  function follow(code: string, afterVersion = 0) {
    stop?.();
    updates.value = [];
    error.value = undefined;
    ended.value = false;
    const variables = { code, afterVersion };
    stop = ws.subscribe<TripUpdatedSubscription>(
      { query: print(TripUpdatedDocument), variables },
      {
        next: ({ data, errors }) => {
          if (errors?.length) error.value = errors.map((e) => e.message).join('; ');
          const update = data?.tripUpdated;
          if (!update || update.version <= variables.afterVersion) return;
          variables.afterVersion = update.version;
          updates.value = [...updates.value, update];
          onUpdate(update);
        },
        // An `error` message (GraphQL errors: e.g. not this passenger's trip) or a fatal close.
        error: (err: unknown) => {
          const messages = Array.isArray(err)
            ? err.map((e: unknown) => (e instanceof Object && 'message' in e ? String(e.message) : 'error'))
            : [];
          error.value = messages.length > 0 ? messages.join('; ') : 'The live connection failed';
        },
        complete: () => (ended.value = true),
      },
    );
  }

  onScopeDispose(() => stop?.());
  return { updates, error, ended, follow, stop: () => stop?.() };
}
