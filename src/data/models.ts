import { createCatalogue, type ModelCatalogue } from '../domain/models.js';
import entries from './models.json' with { type: 'json' };

/** The embedded catalogue's entries, as src/data/models.json holds them (`mock` included). */
export const EMBEDDED_MODELS: readonly unknown[] = entries;

/** Where the embedded catalogue comes from, as config and error messages name it. */
export const EMBEDDED_MODELS_SOURCE = 'the embedded catalogue';

let embedded: ModelCatalogue | undefined;

/**
 * The embedded catalogue (src/data/models.json, bundled like the fixtures: no file is read), built
 * once on first use and shared: a catalogue is immutable.
 */
export function embeddedCatalogue(): ModelCatalogue {
  return (embedded ??= createCatalogue(EMBEDDED_MODELS, EMBEDDED_MODELS_SOURCE));
}
