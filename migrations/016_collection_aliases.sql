-- Another name for a collection of the same database (Qdrant's aliases): switched atomically.
CREATE TABLE vecgate_collection_aliases (
  database_id    uuid NOT NULL REFERENCES vecgate_databases (id) ON DELETE CASCADE,
  alias          text NOT NULL,
  collection_id  uuid NOT NULL REFERENCES vecgate_collections (id) ON DELETE CASCADE,
  PRIMARY KEY (database_id, alias)
);
CREATE INDEX vecgate_collection_aliases_collection ON vecgate_collection_aliases (collection_id);
