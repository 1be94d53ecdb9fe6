-- Qdrant's Manhattan distance: pgvector's L1 (`<+>`, the l1_ops opclasses).
ALTER TABLE vecgate_collections DROP CONSTRAINT vecgate_collections_metric_check;
ALTER TABLE vecgate_collections ADD CONSTRAINT vecgate_collections_metric_check
  CHECK (metric IN ('l2', 'ip', 'cosine', 'l1'));
