/**
 * TypeBox's `Type` builder, the one part of TypeBox the schemas use at run time (its types are
 * imported from the package itself, `import type`). In dist/ this module is TypeBox bundled into
 * one file (the `build` script: esbuild after tsc): the package is about 200 ES modules, and
 * loading them was ~15 % of the server's start-up; bundled they take a few milliseconds
 * (BENCHMARKS.md, "Start-up, found"). Source and tests use the package through this re-export.
 */
export { Type } from '@sinclair/typebox';
