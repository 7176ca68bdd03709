import { isInputObjectType, isInterfaceType, isObjectType, type GraphQLNamedType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../../src/schema/index.js';

/**
 * The units convention stated in README ("Units"), checked on names and descriptions:
 * - a name ending in `Pct` (or `Percent`, the venue's own name) is percent (1 = 1 %) and says "percent";
 * - implied volatilities (names ending in `Iv`) are percent, as Deribit quotes them, and say so;
 * - anything else described as percent is a defect: rename it to *Pct (deprecating the old name);
 * - shares, probabilities, rates and returns (`*Share`, `*Probability`, `*Rate`, `return1d`) are fractions and say "fraction".
 */
interface Element {
  path: string;
  name: string;
  description: string;
  deprecated: boolean;
}

function elements(): Element[] {
  const out: Element[] = [];
  for (const type of Object.values(schema.getTypeMap()) as GraphQLNamedType[]) {
    if (type.name.startsWith('__')) continue;
    if (!(isObjectType(type) || isInterfaceType(type) || isInputObjectType(type))) continue;
    for (const field of Object.values(type.getFields())) {
      const deprecated = 'deprecationReason' in field && Boolean(field.deprecationReason);
      out.push({ path: `${type.name}.${field.name}`, name: field.name, description: field.description ?? '', deprecated });
      for (const arg of 'args' in field ? field.args : []) {
        out.push({ path: `${type.name}.${field.name}(${arg.name})`, name: arg.name, description: arg.description ?? '', deprecated: false });
      }
    }
  }
  return out;
}

const PERCENT_NAME = /(Pct|Percent)$/;
const IV_NAME = /(Iv|^iv\d+\w*)$/;
const FRACTION_NAME = /(Share|Probability|Rate)$|^return\d+d$/;
const SAYS_PERCENT = /\bpercent\b/i;
const SAYS_FRACTION = /\bfraction/i;

describe('units convention', () => {
  const all = elements();

  it('the checks see the schema (a walk that finds nothing cannot fail)', () => {
    expect(all.filter((e) => PERCENT_NAME.test(e.name)).length, 'percent-named fields exist').toBeGreaterThan(20);
    expect(all.filter((e) => FRACTION_NAME.test(e.name)).length, 'fraction-named fields exist').toBeGreaterThan(10);
  });

  it('every *Pct / *Percent name says "percent" in its description', () => {
    const bad = all.filter((e) => PERCENT_NAME.test(e.name) && !SAYS_PERCENT.test(e.description)).map((e) => `${e.path}: ${e.description}`);
    expect(bad).toEqual([]);
  });

  it('every implied volatility (*Iv, iv25*) says "percent"', () => {
    const ivs = all.filter((e) => IV_NAME.test(e.name));
    expect(ivs.length, 'IV fields exist').toBeGreaterThan(3);
    expect(ivs.filter((e) => !SAYS_PERCENT.test(e.description)).map((e) => `${e.path}: ${e.description}`)).toEqual([]);
  });

  it('nothing else is percent: a percent field is named *Pct (deprecated aliases aside)', () => {
    const bad = all
      .filter((e) => SAYS_PERCENT.test(e.description) && !PERCENT_NAME.test(e.name) && !IV_NAME.test(e.name) && !e.deprecated)
      .map((e) => `${e.path}: ${e.description}`);
    expect(bad).toEqual([]);
  });

  it('shares, probabilities, rates and returns say "fraction" and never "percent"', () => {
    const bad = all
      .filter((e) => FRACTION_NAME.test(e.name) && (!SAYS_FRACTION.test(e.description) || SAYS_PERCENT.test(e.description)))
      .map((e) => `${e.path}: ${e.description}`);
    expect(bad).toEqual([]);
  });
});
