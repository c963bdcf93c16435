import { withHeadTwins, type Route } from '../domain/paths.js';
import type { MockRuntime } from '../mock-runtime.js';
import { operations, type ApiOperationFile, type Declaration, type Operation } from './operation.js';
import { chatOperations } from './operations/chat.js';
import { creditOperations } from './operations/credits.js';
import { generationOperations } from './operations/generation.js';
import { keyOperations } from './operations/keys.js';
import { modelOperations } from './operations/models.js';

/** A file's declarations and operations, its own types checked where it is written (`apiOperationFile`). */
function listed<T extends Record<string, Declaration>>(file: ApiOperationFile<T>) {
  return {
    declarations: (strict: boolean): Declaration[] => Object.values(file.table(strict)),
    operations: (runtime: MockRuntime): Operation[] => operations(file.table(runtime.config.strict), file.handlers(runtime)),
  };
}

/**
 * The API under `/api/v1`: one file of operations per subject (src/http/operations/), in the order
 * the OpenAPI document lists them. A new operation is a declaration and a handler in one of these
 * files (or a new file added here) and a domain method it calls: the README's Layout has the
 * checklist.
 */
const FILES = [
  listed(keyOperations),
  listed(modelOperations),
  listed(chatOperations),
  listed(generationOperations),
  listed(creditOperations),
];

/** Every API declaration, as data (no handler, no state). */
export function apiDeclarations(strict: boolean): Declaration[] {
  return FILES.flatMap((file) => file.declarations(strict));
}

/** The API's operations: each file's declarations with their handlers, bound to this mock's state. */
export function apiOperations(runtime: MockRuntime): Operation[] {
  return FILES.flatMap((file) => file.operations(runtime));
}

/**
 * The API's routes, HEAD twins included, read off the declarations (no store, no handler): what
 * fault rules can meet (the runtime's FaultRegistry is built with them).
 */
export const API_ROUTES: readonly Route[] = withHeadTwins(apiDeclarations(false).map((op) => ({ method: op.method, path: op.url })));
