import {
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isScalarType,
  isUnionType,
  type GraphQLNamedType,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../../src/schema/index.js';

const described = (d: string | null | undefined): boolean => typeof d === 'string' && d.trim().length > 0;

/** Every user-defined schema element (type, field, argument, input field, enum value), as a path, with its description. */
export function schemaElements(): { path: string; description: string | null | undefined; kind: 'type' | 'field' | 'arg' | 'enumValue' | 'inputField' }[] {
  const out: ReturnType<typeof schemaElements> = [];
  for (const type of Object.values(schema.getTypeMap()) as GraphQLNamedType[]) {
    if (type.name.startsWith('__')) continue;
    if (isScalarType(type) && ['String', 'Int', 'Float', 'Boolean', 'ID'].includes(type.name)) continue;
    out.push({ path: type.name, description: type.description, kind: 'type' });
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        out.push({ path: `${type.name}.${field.name}`, description: field.description, kind: 'field' });
        for (const arg of field.args) out.push({ path: `${type.name}.${field.name}(${arg.name})`, description: arg.description, kind: 'arg' });
      }
    } else if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) {
        out.push({ path: `${type.name}.${field.name}`, description: field.description, kind: 'inputField' });
      }
    } else if (isEnumType(type)) {
      for (const value of type.getValues()) out.push({ path: `${type.name}.${value.name}`, description: value.description, kind: 'enumValue' });
    } else if (isUnionType(type)) {
      // a union's members are object types, walked on their own
    }
  }
  return out;
}

describe('schema descriptions', () => {
  it('describe every type, field, argument, input field and enum value', () => {
    const missing = schemaElements()
      .filter((e) => !described(e.description))
      .map((e) => e.path);
    expect(missing, `${missing.length} schema elements have no description`).toEqual([]);
  });
});
