/** The gateway's configuration, read once from the environment at boot. */
export interface AppConfig {
  port: number;
  host: string;
  /** Unset: embedded PGlite in `dataDir`. */
  databaseUrl: string | undefined;
  /** Embedded data directory; `memory://` keeps everything in memory. */
  dataDir: string;
  chromaAllowReset: boolean;
  /** Largest accepted JSON body, in bytes. */
  bodyLimitBytes: number;
}

export const APP_CONFIG = Symbol('APP_CONFIG');
