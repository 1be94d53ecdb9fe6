-- An admin key may also list, create and revoke the API keys of its tenant (the web console's
-- keys page). Existing keys stay plain keys: no key gains a power it was not created with.
ALTER TABLE vecgate_api_keys ADD COLUMN admin boolean NOT NULL DEFAULT false;
