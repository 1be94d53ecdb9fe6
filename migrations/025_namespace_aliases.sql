-- Another name for a namespace of a collection (Pinecone's namespace aliases, API 2026-07): reads
-- through the alias are served from its target; writes never go through it. A name is either a
-- namespace or an alias, never both (the records service checks it under the collection's row
-- lock). Names sort bytewise, as Pinecone lists them.
CREATE TABLE vecgate_namespace_aliases (
  collection_id  uuid NOT NULL REFERENCES vecgate_collections (id) ON DELETE CASCADE,
  name           text COLLATE "C" NOT NULL,
  target         text COLLATE "C" NOT NULL,
  -- to the millisecond, as the API shows them; equal until the first repoint
  created_at     timestamptz NOT NULL,
  updated_at     timestamptz NOT NULL,
  PRIMARY KEY (collection_id, name)
);
CREATE INDEX vecgate_namespace_aliases_target ON vecgate_namespace_aliases (collection_id, target);

-- A backup keeps them: {alias: target}.
ALTER TABLE vecgate_backups ADD COLUMN namespace_aliases jsonb NOT NULL DEFAULT '{}';
