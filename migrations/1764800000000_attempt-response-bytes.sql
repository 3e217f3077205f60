-- Up Migration
-- The exact bytes of a response body's stored prefix, kept only when `response_body` (text) cannot hold
-- them as they are: bytes that are not UTF-8, or NUL, which PostgreSQL text refuses. `response_body` then
-- shows them with U+FFFD in their place.
ALTER TABLE attempts ADD COLUMN response_body_raw bytea;

-- Down Migration
ALTER TABLE attempts DROP COLUMN response_body_raw;
