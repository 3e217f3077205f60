import type { Queryable } from '../db/pool.js';
import { EVENTS_CHANNEL } from '../db/ingest.js';

/**
 * Wakes the relays (LISTENing in the workers) once this API has committed events to start. The NOTIFY
 * is its own statement after the commit, not part of the inserting transaction: inside it, PostgreSQL's
 * global notify lock would be held through the commit's WAL flush and serialise every accept (see the
 * migration that dropped the trigger). A NOTIFY alone writes no WAL, so it holds that lock for moments.
 * Coalesced: one in flight at a time and one more after it if events were committed meanwhile, so a burst
 * costs a few notifications, not one per event. A wake-up that is lost (this process dies between commit
 * and notify, or PostgreSQL refuses it) is made up by the relays' sweep.
 */
export function relayWakeup(db: Queryable) {
  let sending = false;
  let again = false;
  const send = (): void => {
    sending = true;
    db.query("SELECT pg_notify($1, '')", [EVENTS_CHANNEL])
      .catch(() => {
        /* the sweep starts the events */
      })
      .finally(() => {
        sending = false;
        if (again) {
          again = false;
          send();
        }
      });
  };
  return {
    /** After a commit that stored at least one event to start. */
    wake(): void {
      if (sending) again = true;
      else send();
    },
  };
}
export type RelayWakeup = ReturnType<typeof relayWakeup>;
