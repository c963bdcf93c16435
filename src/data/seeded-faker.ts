import type { Faker, LocaleDefinition } from '@faker-js/faker';
import { faker as baseFaker } from '@faker-js/faker/locale/base';
import englishWords from '../generated/english-words.json' with { type: 'json' };

/**
 * A private, seeded Faker with English data: the English modules the dataset draws from
 * (src/generated/english-words.json, which npm run generate takes from faker's English locale) over faker's locale-neutral base.
 * Not faker's main entry, which evaluates every locale (≈240 ms against ≈30 ms), and not its whole
 * English locale, 290 KB that would be 60 % of the browser bundle; the words drawn are the same.
 */
export function createSeededFaker(seed: number, refDate: number): Faker {
  const FakerClass = baseFaker.constructor as new (options: { locale: Faker['rawDefinitions'][] }) => Faker;
  const faker = new FakerClass({ locale: [englishWords as LocaleDefinition, baseFaker.rawDefinitions] });
  faker.seed(seed);
  faker.setDefaultRefDate(refDate);
  return faker;
}
