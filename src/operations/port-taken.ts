/** What each listening port serves, and what its setting may be set to instead. */
const PORTS = {
  PORT: { serves: 'the Chroma, Pinecone and Vectorizer APIs and the console', wayOut: 'set PORT to a free port' },
  QDRANT_PORT: {
    serves: "Qdrant's API",
    wayOut: 'set QDRANT_PORT to a free port, or to 0 to turn the Qdrant API off',
  },
} as const;

/** Whether listening failed because another process holds the port. */
export function isPortTaken(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === 'EADDRINUSE';
}

/**
 * A port another process holds, worded alike for each port: the setting that chose it, what it
 * serves, and the way out (a bare `listen EADDRINUSE` named neither).
 */
export function portTakenMessage(setting: keyof typeof PORTS, port: number): string {
  const { serves, wayOut } = PORTS[setting];
  return `port ${port} (${setting}, ${serves}) is taken: ${wayOut}`;
}
