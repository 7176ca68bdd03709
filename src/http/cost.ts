import {
  getNamedType,
  isCompositeType,
  isObjectType,
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type FieldNode,
  type SelectionSetNode,
  valueFromAST,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { AppError, ErrorCodes } from '../errors.js';

/**
 * What one field costs, in cost units (1 unit ≈ 0.1 ms of server CPU on the reference 2-core machine).
 * `served`: answering with the engine's cached result (default arguments): presenting and serialising it.
 * `onDemand`: computing it for non-default arguments (bench/analyzers.ts "full" column × 10, rounded up),
 * added to `served`. Figures and the method are in README's "Query cost" section.
 */
export interface FieldCost {
  served: number;
  onDemand?: number;
  /** List arguments whose length scales the on-demand cost: cost × max(1, length / per). */
  scaleBy?: Record<string, number>;
}

/** Field coordinates (Type.field) with a cost; every other field costs 0 (plain properties of a cached result). */
export const FIELD_COSTS: Readonly<Record<string, FieldCost>> = {
  'Market.funding': { served: 2 },
  'Market.openInterest': { served: 3 },
  'Market.longShort': { served: 3 },
  'Market.basis': { served: 2, onDemand: 3 },
  'Market.keyLevels': { served: 5, onDemand: 13 },
  'Market.liquidationCascades': { served: 3, onDemand: 3 },
  'Market.liquidationHeatmap': { served: 60, onDemand: 710, scaleBy: { leverages: 7 } },
  'Market.regime': { served: 3, onDemand: 90 },
  'Market.sessions': { served: 3, onDemand: 8 },
  'Market.structure': { served: 5, onDemand: 60 },
  'Market.traps': { served: 5, onDemand: 335 },
  'Market.volatility': { served: 3, onDemand: 72 },
  'Market.volume': { served: 5, onDemand: 115 },
  'Market.volumeProfile': { served: 10, onDemand: 86 },
  'Market.whales': { served: 3, onDemand: 5 },
  'Market.data': { served: 2 },
  'Query.correlations': { served: 10, onDemand: 13, scaleBy: { symbols: 20 } },
  'Query.optionsFlow': { served: 20, onDemand: 290 },
  'Query.sentiment': { served: 3, onDemand: 4 },
  'Query.snapshots': { served: 50 },
  'Query.health': { served: 5 },
  'Query.optionsChain': { served: 20 },
};

/** Lists returned by these fields have this many items at most, whatever the arguments (cost multiplier). */
const LIST_SIZE_ARGUMENTS: Readonly<Record<string, string>> = { 'Query.markets': 'symbols' };

export interface CostInput {
  schema: GraphQLSchema;
  document: DocumentNode;
  operationName?: string | null;
  variableValues?: Record<string, unknown> | null;
}

export interface CostReport {
  cost: number;
  /** Number of fields that would be computed on demand (non-default arguments), markets multiplied in. */
  onDemandFields: number;
}

function sameValue(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Cost of an operation: Σ over selected fields of their cost, multiplied by the length of list arguments
 * that size the returned list (`markets(symbols)`) for everything below them. A field whose argument
 * values (after variables and schema defaults) differ from the defaults is costed as an on-demand
 * computation. Runs after validation, so fragments are known and acyclic.
 */
export function operationCost(input: CostInput): CostReport {
  const { schema, document } = input;
  const fragments = new Map<string, FragmentDefinitionNode>();
  let operation: OperationDefinitionNode | undefined;
  for (const def of document.definitions) {
    if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
    else if (def.kind === Kind.OPERATION_DEFINITION && (!input.operationName || def.name?.value === input.operationName)) operation ??= def;
  }
  const report: CostReport = { cost: 0, onDemandFields: 0 };
  if (!operation) return report;
  const root = operation.operation === 'query' ? schema.getQueryType() : operation.operation === 'mutation' ? schema.getMutationType() : schema.getSubscriptionType();
  if (!root) return report;
  const variables = input.variableValues ?? {};

  function walk(set: SelectionSetNode, parent: GraphQLCompositeType, multiplier: number): void {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value);
        if (fragment) walk(fragment.selectionSet, (schema.getType(fragment.typeCondition.name.value) as GraphQLCompositeType) ?? parent, multiplier);
        continue;
      }
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? (schema.getType(selection.typeCondition.name.value) as GraphQLCompositeType) : parent;
        walk(selection.selectionSet, type ?? parent, multiplier);
        continue;
      }
      if (!isObjectType(parent)) continue;
      const field: GraphQLField<unknown, unknown> | undefined = parent.getFields()[selection.name.value];
      if (!field) continue;
      const coordinate = `${parent.name}.${field.name}`;
      const cost = FIELD_COSTS[coordinate];
      const sizeArg = LIST_SIZE_ARGUMENTS[coordinate];
      let args: Record<string, unknown> | undefined;
      const argsOf = () => (args ??= safeArgs(field, selection, variables));
      if (cost) {
        let fieldCost = cost.served;
        if (cost.onDemand !== undefined) {
          const values = argsOf();
          const custom = field.args.some((arg) => values[arg.name] !== undefined && !sameValue(values[arg.name], arg.defaultValue));
          if (custom) {
            let onDemand = cost.onDemand;
            for (const [name, per] of Object.entries(cost.scaleBy ?? {})) {
              const list = values[name];
              if (Array.isArray(list)) onDemand *= Math.max(1, list.length / per);
            }
            fieldCost += onDemand;
            report.onDemandFields += multiplier;
          }
        }
        report.cost += fieldCost * multiplier;
      }
      let childMultiplier = multiplier;
      if (sizeArg) {
        const list = argsOf()[sizeArg];
        if (Array.isArray(list)) childMultiplier *= Math.max(1, list.length);
      }
      const named = getNamedType(field.type);
      if (selection.selectionSet && isCompositeType(named)) walk(selection.selectionSet, named, childMultiplier);
    }
  }
  walk(operation.selectionSet, root, 1);
  return report;
}

/** Argument values after variables and schema defaults (graphql's getArgumentValues is not a public export). */
function safeArgs(field: GraphQLField<unknown, unknown>, node: FieldNode, variables: Record<string, unknown>): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const arg of field.args) {
    const given = node.arguments?.find((a) => a.name.value === arg.name);
    values[arg.name] = given ? valueFromAST(given.value, arg.type, variables) : arg.defaultValue;
  }
  return values;
}

/**
 * Rejects an operation whose cost (see `operationCost`) exceeds `maxCost`, before any resolver runs,
 * with COST_LIMIT_EXCEEDED naming the cost, the limit and the on-demand field count.
 */
export function useQueryCost(options: { maxCost: number; maxListItems: number }): Plugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const oversize = oversizeList(args.variableValues, options.maxListItems);
      if (oversize) {
        setResultAndStopExecution({
          errors: [
            new AppError(ErrorCodes.BAD_USER_INPUT, `Variable $${oversize.name} holds a list of ${oversize.length} items; lists may hold at most ${options.maxListItems}.`, {
              variable: oversize.name,
              items: oversize.length,
              maxListItems: options.maxListItems,
              http: { status: 400 },
            }),
          ],
        });
        return;
      }
      const report = operationCost({ schema: args.schema, document: args.document, operationName: args.operationName, variableValues: args.variableValues });
      if (report.cost > options.maxCost) {
        setResultAndStopExecution({
          errors: [
            new AppError(
              ErrorCodes.COST_LIMIT_EXCEEDED,
              `Query cost ${Math.round(report.cost)} exceeds the limit of ${options.maxCost} (${report.onDemandFields} fields computed on demand for non-default arguments; each analysis is costed as in README "Query cost", multiplied by the markets asked for). Ask for fewer markets or analyses, or use default arguments.`,
              { cost: Math.round(report.cost), maxCost: options.maxCost, onDemandFields: report.onDemandFields, http: { status: 400 } },
            ),
          ],
        });
      }
    },
  };
}

/** The first list (at any depth) among the raw variables longer than `max`, checked before coercion. */
function oversizeList(variables: unknown, max: number): { name: string; length: number } | undefined {
  if (!variables || typeof variables !== 'object') return undefined;
  const find = (value: unknown, depth: number): number | undefined => {
    if (depth > 8 || value === null || typeof value !== 'object') return undefined;
    if (Array.isArray(value)) {
      if (value.length > max) return value.length;
      for (const item of value) {
        const found = find(item, depth + 1);
        if (found !== undefined) return found;
      }
      return undefined;
    }
    for (const item of Object.values(value)) {
      const found = find(item, depth + 1);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  for (const [name, value] of Object.entries(variables)) {
    const length = find(value, 0);
    if (length !== undefined) return { name, length };
  }
  return undefined;
}
