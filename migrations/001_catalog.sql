-- The catalog: tenants own databases, databases own collections. Each collection's records live
-- in a table of their own (vecgate_records.r_<collection uuid hex>), created from this catalog.
CREATE EXTENSION IF NOT EXISTS vector;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE SCHEMA IF NOT EXISTS vecgate_records;

CREATE TABLE vecgate_tenants (
  name        text PRIMARY KEY,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE vecgate_databases (
  id          uuid PRIMARY KEY,
  tenant      text NOT NULL REFERENCES vecgate_tenants (name) ON DELETE CASCADE,
  name        text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant, name)
);

CREATE TABLE vecgate_collections (
  id             uuid PRIMARY KEY,
  seq            bigint GENERATED ALWAYS AS IDENTITY,
  database_id    uuid NOT NULL REFERENCES vecgate_databases (id) ON DELETE CASCADE,
  name           text NOT NULL,
  -- null until the first write fixes it; set under a row lock on this row
  dimension      integer CHECK (dimension > 0),
  metric         text NOT NULL CHECK (metric IN ('l2', 'ip', 'cosine')),
  metadata       jsonb,
  configuration  jsonb NOT NULL,
  schema         jsonb,
  table_name     text NOT NULL UNIQUE,
  -- the collection this one was forked from (Chroma's fork_count counts them)
  forked_from    uuid,
  created_at     timestamptz NOT NULL DEFAULT now(),
  UNIQUE (database_id, name)
);
CREATE INDEX vecgate_collections_database_seq ON vecgate_collections (database_id, seq);

INSERT INTO vecgate_tenants (name) VALUES ('default_tenant');
INSERT INTO vecgate_databases (id, tenant, name)
  VALUES ('00000000-0000-4000-8000-000000000000', 'default_tenant', 'default_database');
