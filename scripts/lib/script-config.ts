// The configuration of a command-line script: a bad variable prints its one-line message and the
// script exits 78 (EX_CONFIG), like the api and the worker.
import { ConfigError, loadConfig, type Config } from '../../server/src/config.js';

export const EXIT_CONFIG = 78;

/** The loaded configuration, or null after printing why it is invalid (exit with EXIT_CONFIG). */
export function scriptConfig(): Readonly<Config> | null {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      return null;
    }
    throw error;
  }
}
