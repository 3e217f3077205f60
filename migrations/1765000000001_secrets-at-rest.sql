-- Up Migration
-- Secrets at rest (docs/security.md, "Secrets at rest"). A migration cannot encrypt: the key is in the
-- processes' environment (HOOKRELAY_ENCRYPTION_KEYS), not in the database. So this adds the sealed
-- columns beside the plaintext ones, and every API and worker start (and `npm run reencrypt`) seals the
-- rows still in plaintext, in batches, and empties their plaintext columns:
--   secret            -> secret_encrypted   (NULL once sealed)
--   headers           -> headers_encrypted  ('{}' once sealed)
--   previous_secrets  entries {secret, expires_at} -> {secret_encrypted, expires_at}
-- A sealed value is `v1:<key id>:<base64 of iv, ciphertext, tag>` (AES-256-GCM).
ALTER TABLE subscriptions
  ALTER COLUMN secret DROP NOT NULL,
  ADD COLUMN secret_encrypted text,
  ADD COLUMN headers_encrypted text,
  -- The signature scheme, chosen at create; an ed25519 subscription's secret is its private key.
  ADD COLUMN signature text NOT NULL DEFAULT 'hmac-sha256' CHECK (signature IN ('hmac-sha256', 'ed25519')),
  -- `whpk_…`: the ed25519 public key of the current private key (public, so not sealed).
  ADD COLUMN public_key text,
  ADD CONSTRAINT subscriptions_secret_present CHECK (secret IS NOT NULL OR secret_encrypted IS NOT NULL),
  ADD CONSTRAINT subscriptions_public_key CHECK ((signature = 'ed25519') = (public_key IS NOT NULL));

-- Down Migration
-- The older schema holds plaintext only, and SQL cannot decrypt: refused while any row is sealed.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM subscriptions WHERE secret_encrypted IS NOT NULL OR headers_encrypted IS NOT NULL OR signature <> 'hmac-sha256') THEN
    RAISE EXCEPTION 'subscriptions hold sealed secrets or ed25519 keys, which the older schema cannot hold';
  END IF;
END $$;
ALTER TABLE subscriptions
  DROP CONSTRAINT subscriptions_public_key,
  DROP CONSTRAINT subscriptions_secret_present,
  DROP COLUMN public_key,
  DROP COLUMN signature,
  DROP COLUMN headers_encrypted,
  DROP COLUMN secret_encrypted,
  ALTER COLUMN secret SET NOT NULL;
