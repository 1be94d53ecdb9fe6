-- The metadata keys a namespace indexes for filters (Pinecone's namespace schema, API 2026-07):
-- null indexes every key, as a namespace created without a schema does.
ALTER TABLE vecgate_namespaces ADD COLUMN filterable text[];

-- A backup keeps them: {namespace: [keys]} for the namespaces that have a list.
ALTER TABLE vecgate_backups ADD COLUMN namespace_filterable jsonb NOT NULL DEFAULT '{}';
