-- Up Migration
-- Every replaced signing secret keeps signing for 24 h from its own replacement, so each needs its own
-- expiry: one `previous_secret` column let a second rotation end the first replaced secret at once.
-- An array of {secret, expires_at}, newest first; rotate-secret keeps at most 3 of them (dropping the
-- oldest) and removes the expired ones as it goes; readers skip an entry once `expires_at` has passed.
ALTER TABLE subscriptions ADD COLUMN previous_secrets jsonb NOT NULL DEFAULT '[]';
UPDATE subscriptions
SET previous_secrets = jsonb_build_array(jsonb_build_object('secret', previous_secret, 'expires_at', previous_secret_until))
WHERE previous_secret IS NOT NULL AND previous_secret_until > now();
ALTER TABLE subscriptions DROP COLUMN previous_secret, DROP COLUMN previous_secret_until;

-- Down Migration
-- Only the newest previous secret fits the older columns; the others stop signing.
ALTER TABLE subscriptions ADD COLUMN previous_secret text, ADD COLUMN previous_secret_until timestamptz;
UPDATE subscriptions
SET previous_secret = previous_secrets -> 0 ->> 'secret',
    previous_secret_until = (previous_secrets -> 0 ->> 'expires_at')::timestamptz
WHERE jsonb_array_length(previous_secrets) > 0;
ALTER TABLE subscriptions DROP COLUMN previous_secrets;
