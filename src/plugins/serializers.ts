import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';

// The Ajv validators are transport-neutral (every door validates through them): src/schemas/validators.ts.

type BuildSerializer = ReturnType<typeof SerializerSelector>;

/**
 * Fastify's own serializer factory (fast-json-stringify), with each serializer built on first use:
 * most of the 200-odd response statuses are never answered in a given run.
 */
export const lazySerializers: BuildSerializer = (externalSchemas, options) => {
  const build = SerializerSelector()(externalSchemas, options);
  return (route) => {
    let serialize: ((data: unknown) => string) | undefined;
    return (data: unknown) => (serialize ??= build(route))(data);
  };
};
