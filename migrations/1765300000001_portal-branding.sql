-- Up Migration
-- What a portal session carries for the platform that made it (docs/portal.md): where its user goes back
-- to when the session ends, and the platform's name, logo (a same-origin path or a data: URL) and accent
-- colour. The API validates each (src/domain/portal-branding.ts); NULL: not given.
ALTER TABLE portal_sessions
  ADD COLUMN return_url text,
  ADD COLUMN brand_name text,
  ADD COLUMN logo_url text,
  ADD COLUMN accent_color text;

-- Down Migration
ALTER TABLE portal_sessions
  DROP COLUMN return_url,
  DROP COLUMN brand_name,
  DROP COLUMN logo_url,
  DROP COLUMN accent_color;
