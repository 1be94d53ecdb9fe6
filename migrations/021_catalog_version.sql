-- A collection's catalog version, bumped by every change of what its writes and searches are
-- planned against: its dimension, its named vectors, its and their index settings, a protocol's
-- settings. A write holds the row (FOR SHARE) and compares the version with the row it planned on,
-- cached for up to a second: a change cannot commit while it writes, and one that committed since
-- it was cached (on another replica) makes it read the row again.
ALTER TABLE vecgate_collections ADD COLUMN catalog_version bigint NOT NULL DEFAULT 1;
