import entries from './models.json' with { type: 'json' };

/** The embedded catalogue's entries, as src/data/models.json holds them (`mock` included). */
export const EMBEDDED_MODELS: readonly unknown[] = entries;

/** Where the embedded catalogue comes from, as config and error messages name it. */
export const EMBEDDED_MODELS_SOURCE = 'the embedded catalogue';
