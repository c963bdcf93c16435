import type { Faker } from '@faker-js/faker';
import { faker as englishFaker } from '@faker-js/faker/locale/en';

/**
 * A private, seeded Faker with English data. Built from the English-only entry point's instance
 * because the package's main entry evaluates every locale (≈240 ms against ≈30 ms here), and
 * start-up time is a product feature for a mock that CI starts hundreds of times a day.
 */
export function createSeededFaker(seed: number, refDate: number): Faker {
  const FakerClass = englishFaker.constructor as new (options: { locale: Faker['rawDefinitions'] }) => Faker;
  const faker = new FakerClass({ locale: englishFaker.rawDefinitions });
  faker.seed(seed);
  faker.setDefaultRefDate(refDate);
  return faker;
}
