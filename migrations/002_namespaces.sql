-- Namespaces of a collection (Pinecone's; Chroma writes to the default one, ''). A namespace is
-- registered by its first write or by an explicit create, and outlives a deleteAll of its records.
CREATE TABLE vecgate_namespaces (
  collection_id  uuid NOT NULL REFERENCES vecgate_collections (id) ON DELETE CASCADE,
  name           text NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (collection_id, name)
);
