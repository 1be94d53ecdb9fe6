-- API keys: each bound to a tenant, and optionally to some of its databases. Only a hash of the
-- secret is stored; the key itself is shown once, when it is created.
CREATE TABLE vecgate_api_keys (
  id           text PRIMARY KEY,
  tenant       text NOT NULL REFERENCES vecgate_tenants (name) ON DELETE CASCADE,
  -- null: every database of the tenant
  databases    text[],
  secret_hash  text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  revoked_at   timestamptz
);
