/** Another name for a namespace of a collection: reads through it are served from `target`. */
export interface NamespaceAlias {
  name: string;
  target: string;
  createdAt: Date;
  /** When it was last repointed; its creation until then. */
  updatedAt: Date;
}

/** What a list of aliases keeps: names after `after` starting with `prefix`, only those of `target` if given. */
export interface NamespaceAliasQuery {
  prefix: string;
  target: string | null;
  after: string | null;
  limit: number;
}
