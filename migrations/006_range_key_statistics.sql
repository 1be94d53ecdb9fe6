-- Whether a range key's index has had its table ANALYZEd since it was built: the planner estimates
-- a range on the key from the statistics of the index's expression, which only an ANALYZE after
-- the build gathers, so indexing_status counts the key as due until then. Keys noted before this
-- column existed start without the mark: the index builder analyzes their tables once.
ALTER TABLE vecgate_range_keys ADD COLUMN analyzed boolean NOT NULL DEFAULT false;
