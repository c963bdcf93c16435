/**
 * This package's version. A constant rather than read from package.json at load, so that the
 * browser-safe core can import it without file access; test/version.test.ts fails if it drifts.
 */
export const VERSION = '0.1.0';
