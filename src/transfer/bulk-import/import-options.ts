/** Bulk imports (Pinecone's bulk import API): what they may read and how they run; read by config/. */
export interface ImportOptions {
  /**
   * Directories `file://` URIs may name files in (their real paths, symbolic links followed).
   * Empty, the default: no `file://` import at all, since it has the server read its own disk.
   */
  roots: string[];
  /**
   * URL prefixes `http(s)://` URIs may start with (`https://data.example.com/exports/`). Empty, the
   * default: no URL is fetched, since a URL of the client's choosing can reach the server's own network.
   */
  urls: string[];
  /** Records per transaction, and per progress update. */
  batch: number;
  /** Whether this replica runs import jobs (false: it only starts and reports them; another runs them). */
  run: boolean;
  /**
   * Rows and bytes (uncompressed, its columns together) of a row group at most: a reader decodes a
   * row group whole, so one row group is what an import holds in memory at once. A file with a
   * bigger one is refused when its import starts.
   */
  maxRowGroupRows: number;
  maxRowGroupBytes: number;
}
