import { Type } from './typebox.js';
import type { Static } from '@sinclair/typebox';

/**
 * `GET /api/v1/credits` (management key): the account's credits and what it has spent, in USD.
 * The SDK's GetCreditsResponse (models/operations/getcredits.js) requires both numbers.
 */
export const CreditsResponseSchema = Type.Object(
  {
    data: Type.Object({
      total_credits: Type.Number({ minimum: 0, description: 'Credits bought or granted (USD)' }),
      total_usage: Type.Number({ minimum: 0, description: 'Credits used (USD); may exceed total_credits by the last request' }),
    }),
  },
  { description: "The account's credits" },
);
export type CreditsResponse = Static<typeof CreditsResponseSchema>;
