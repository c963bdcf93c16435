import { errorResponses } from '../../schemas/common.js';
import { ModelListSchema } from '../../schemas/models.js';
import { api, apiOperationFile } from '../operation.js';

/**
 * `GET /api/v1/models`: the model catalogue (the embedded one, or `--models`), open to anyone as
 * OpenRouter's is, in one page.
 */
export const modelOperations = apiOperationFile({
  table: () => ({
    listModels: api('GET', '/models', {
      status: 200,
      access: 'open',
      schema: {
        operationId: 'getModels',
        summary: 'List the models',
        description: 'The models chat completions may name, with their prices per token (USD, decimal strings).',
        response: { 200: ModelListSchema, ...errorResponses([500]) },
      },
    }),
  }),
  handlers: ({ config }) => ({
    listModels: () => {
      const { catalogue } = config.models;
      return { data: [...catalogue.list()], links: { next: null }, total_count: catalogue.size };
    },
  }),
});
