/**
 * A price in USD per token (or per request, image, search), written as OpenRouter writes it: a
 * decimal string such as "0.00000015", never a number (a float would round it) nor exponent
 * notation. OpenRouter writes "-1" for router models priced by the model they route to; the mock
 * cannot charge such a price, so it is refused.
 */
export const PRICE_PATTERN = '^(0|[1-9][0-9]*)(\\.[0-9]+)?$';

/** A model as the wire lists it (src/schemas/models.ts has the whole shape; these are the fields the mock reads). */
export interface Model {
  id: string;
  pricing: { prompt: string; completion: string; [price: string]: unknown };
  [field: string]: unknown;
}

/** An entry of a catalogue file: a model, and the mock's own settings of it (never sent). */
export interface CatalogueEntry extends Model {
  mock?: { byok?: boolean };
}

/**
 * The model catalogue: the models `GET /api/v1/models` lists and chat completions may name, with
 * their prices. Built from entries in the wire's shape (src/data/models.json, a `--models` file),
 * each validated first against the schema (src/model-catalogue.ts, with src/schemas/models.ts) with
 * an error naming the entry and the field.
 *
 * - Ids are OpenRouter's, matched exactly (case and all): `meta-llama/llama-3.3-70b-instruct:free`
 *   is its own entry, with its own prices, not a suffix the mock interprets.
 * - The default model, for a request that names none, is the catalogue's first entry
 *   (`openai/gpt-4o-mini` in the embedded one): reorder a `--models` file to choose another.
 * - A model is free when its id ends in `:free` (OpenRouter's rule for the free-model daily
 *   requests); such an entry must price prompt and completion at zero, or it is refused.
 * - A model is BYOK when its entry says `"mock": {"byok": true}` (never sent on the wire).
 * - Cost, in USD, is prompt tokens × `pricing.prompt` + completion tokens × `pricing.completion`;
 *   the other prices (request, image, cache, …) are listed but not charged. It is computed exactly
 *   in decimal (the price strings as integers scaled by a power of ten, multiplied in BigInt), and
 *   the one rounding is to the nearest double at the end: 1000 × "0.0000006" is 0.0006, not
 *   0.0005999999999999999.
 */

export class CatalogueError extends Error {
  override readonly name = 'CatalogueError';
}

/** A decimal as an integer and a power of ten: "0.00000015" is 15 / 10^8. */
interface Decimal {
  units: bigint;
  scale: number;
}

const parseDecimal = (text: string): Decimal => {
  const point = text.indexOf('.');
  if (point === -1) return { units: BigInt(text), scale: 0 };
  return { units: BigInt(text.slice(0, point) + text.slice(point + 1)), scale: text.length - point - 1 };
};

/** Whether a price string is zero ("0", "0.000"). */
export const isZeroPrice = (text: string): boolean => parseDecimal(text).units === 0n;

const TEN = 10n;
const scaled = (d: Decimal, scale: number): bigint => d.units * TEN ** BigInt(scale - d.scale);

/** An exact decimal (units / 10^scale) to the nearest double: one rounding, by the number parser. */
function toNumber(units: bigint, scale: number): number {
  if (scale === 0) return Number(units);
  const digits = units.toString().padStart(scale + 1, '0');
  return Number(`${digits.slice(0, -scale)}.${digits.slice(-scale)}`);
}

const checkTokens = (name: string, n: number) => {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${name} must be a whole number of tokens ≥ 0 (got ${n})`);
};

/** A model of the catalogue: its wire object and what the mock reads off its entry. */
export class CatalogueModel<M extends Model = Model> {
  readonly id: string;
  /** The model as `GET /api/v1/models` lists it (frozen; without the entry's `mock`). */
  readonly model: Readonly<M>;
  /** The id ends in `:free`: costs nothing, counts toward the key's free-model daily requests. */
  readonly free: boolean;
  /** Charged as bring-your-own-key usage (`"mock": {"byok": true}`). */
  readonly byok: boolean;
  readonly #prompt: Decimal;
  readonly #completion: Decimal;
  /** The two prices as integers at one scale, and that scale's power of ten, when all are exact doubles (the fast path of `cost`). */
  readonly #exact: { prompt: number; completion: number; divisor: number } | undefined;

  constructor(entry: M & CatalogueEntry) {
    const { mock, ...model } = entry;
    this.id = entry.id;
    this.model = deepFreeze(structuredClone(model)) as unknown as Readonly<M>;
    this.free = entry.id.endsWith(':free');
    this.byok = mock?.byok === true;
    this.#prompt = parseDecimal(entry.pricing.prompt);
    this.#completion = parseDecimal(entry.pricing.completion);
    const scale = Math.max(this.#prompt.scale, this.#completion.scale);
    const prompt = scaled(this.#prompt, scale);
    const completion = scaled(this.#completion, scale);
    // 10^22 is the largest power of ten a double holds exactly.
    this.#exact =
      scale <= 22 && prompt <= BigInt(Number.MAX_SAFE_INTEGER) && completion <= BigInt(Number.MAX_SAFE_INTEGER)
        ? { prompt: Number(prompt), completion: Number(completion), divisor: 10 ** scale }
        : undefined;
  }

  /** USD for these tokens at this model's prices, exact to the nearest double (see above). */
  cost(promptTokens: number, completionTokens: number): number {
    checkTokens('promptTokens', promptTokens);
    checkTokens('completionTokens', completionTokens);
    // The same exact sum in doubles while it stays an exact integer: one division by an exact
    // power of ten rounds it once, to the same nearest double as the decimal text would.
    const exact = this.#exact;
    if (exact) {
      const total = promptTokens * exact.prompt + completionTokens * exact.completion;
      if (Number.isSafeInteger(promptTokens * exact.prompt) && Number.isSafeInteger(completionTokens * exact.completion) && Number.isSafeInteger(total)) {
        return total / exact.divisor;
      }
    }
    const scale = Math.max(this.#prompt.scale, this.#completion.scale);
    const total = BigInt(promptTokens) * scaled(this.#prompt, scale) + BigInt(completionTokens) * scaled(this.#completion, scale);
    return toNumber(total, scale);
  }
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/** `M`: the wire's model type (src/schemas/models.ts's, where the catalogue was checked against it). */
export class ModelCatalogue<M extends Model = Model> {
  readonly #byId = new Map<string, CatalogueModel<M>>();
  readonly #list: readonly Readonly<M>[];
  /** For a request that names no model: the first entry. */
  readonly defaultModel: CatalogueModel<M>;

  /** From entries already valid (parseCatalogue's); `createCatalogue` validates first. */
  constructor(entries: readonly (M & CatalogueEntry)[]) {
    if (entries.length === 0) throw new CatalogueError('a catalogue must hold at least one model');
    for (const entry of entries) {
      if (this.#byId.has(entry.id)) throw new CatalogueError(`model ${JSON.stringify(entry.id)} is listed twice`);
      this.#byId.set(entry.id, new CatalogueModel(entry));
    }
    const models = [...this.#byId.values()];
    this.defaultModel = models[0]!;
    this.#list = Object.freeze(models.map((m) => m.model));
  }

  /** Every model, in the catalogue's order, as the wire lists them. */
  list(): readonly Readonly<M>[] {
    return this.#list;
  }

  get size(): number {
    return this.#list.length;
  }

  /** The model with exactly this id, or undefined. */
  find(id: string): CatalogueModel<M> | undefined {
    return this.#byId.get(id);
  }

  isFree(model: CatalogueModel<M>): boolean {
    return model.free;
  }

  /** USD: prompt tokens × prompt price + completion tokens × completion price, exact (see the module). */
  cost(model: CatalogueModel<M>, promptTokens: number, completionTokens: number): number {
    return model.cost(promptTokens, completionTokens);
  }
}
