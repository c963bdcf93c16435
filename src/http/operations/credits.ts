import { COMMON_ERRORS, errorResponses } from '../../schemas/common.js';
import { CreditsResponseSchema } from '../../schemas/credits.js';
import { api, apiOperationFile } from '../operation.js';

/** `GET /api/v1/credits`: the account's credits and what it has used, for its management key. */
export const creditOperations = apiOperationFile({
  table: () => ({
    getCredits: api('GET', '/credits', {
      status: 200,
      schema: {
        operationId: 'getCredits',
        summary: "The account's credits",
        description: 'total_credits and total_usage in USD; chat completions add to total_usage (BYOK ones do not).',
        response: { 200: CreditsResponseSchema, ...errorResponses(COMMON_ERRORS) },
      },
    }),
  }),
  handlers: ({ store }) => ({
    getCredits: (call) => ({ data: store.credits(call.principal!.account) }),
  }),
});
