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
  parse,
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
  /**
   * The arguments that cause an on-demand computation when they differ from their defaults (default: every
   * argument). Others are applied to the cached result (confirmation weights, language).
   */
  onDemandArgs?: readonly string[];
  /**
   * Computing it from a point-in-time store (below `market(at:)`, time travel): default `onDemand`, else
   * 10 × `served`. Always charged there: nothing is cached for a past instant until a first request builds it.
   */
  timeTravel?: number;
}

/**
 * Restoring one symbol's point-in-time store from the archive for `market(at:)` / `markets(at:)`, per symbol
 * asked. Measured 0.45–0.9 s per symbol on PGlite under test load (13 intervals × 1 000 bars and the records),
 * i.e. more than this charges: the restore is a sequence of archive reads between which requests are served,
 * restores run one at a time (src/engine/time-travel.ts), and this figure keeps one market or two in reach
 * of QUERY_COST_LIMIT while 30 aliases at different instants are refused (README "Time travel").
 */
export const TIME_TRAVEL_RESTORE_COST = 2_000;
/** Root fields whose `at` argument turns on time travel for everything below them. */
const TIME_TRAVEL_FIELDS: ReadonlySet<string> = new Set(['Query.market', 'Query.markets']);

/** Field coordinates (Type.field) with a cost; every other field costs 0 (plain properties of a cached result). */
export const FIELD_COSTS: Readonly<Record<string, FieldCost>> = {
  // onDemand: the `venue` argument computes the analysis from another venue store (cached for the recompute interval).
  'Market.funding': { served: 2, onDemand: 2, timeTravel: 20 },
  'Market.openInterest': { served: 3, onDemand: 3, timeTravel: 30 },
  // Computed on demand from the venue stores, cached for the recompute interval (bench/venues.ts: funding,
  // arbitrage, spread ≈ 0.01-0.03 ms; open interest ≈ 0.9 ms when a venue gives contracts only and its price
  // path is rebuilt; CVD ≈ 2.8 ms over 3 × 5 000 trades, on a loaded machine).
  'Market.venues': { served: 3 },
  'Market.aggregatedOpenInterest': { served: 10 },
  'Market.aggregatedFunding': { served: 3 },
  'Market.fundingArbitrage': { served: 3 },
  'Market.priceSpread': { served: 3 },
  // Buckets up to 3 × 5 000 stored trades into 60 bars.
  'Market.aggregatedCvd': { served: 30 },
  'Market.longShort': { served: 3, onDemand: 3, timeTravel: 30 },
  'Market.basis': { served: 2, onDemand: 3 },
  'Market.keyLevels': { served: 5, onDemand: 13 },
  // onDemand: another window, or a venue (AGGREGATED merges up to 3 × 5 000 liquidations: ≈ 5.7 ms in bench/venues.ts).
  'Market.liquidationCascades': { served: 3, onDemand: 60 },
  'Market.liquidationHeatmap': { served: 60, onDemand: 710, scaleBy: { leverages: 7 } },
  'Market.regime': { served: 3, onDemand: 90 },
  'Market.sessions': { served: 3, onDemand: 8 },
  'Market.structure': { served: 5, onDemand: 60 },
  'Market.traps': { served: 5, onDemand: 335 },
  'Market.volatility': { served: 3, onDemand: 72 },
  // Served from the cached record only (horizons filters it; nothing is computed per request).
  'Market.forecast': { served: 3, onDemandArgs: [], timeTravel: 400 },
  // Served from the cached record: depthPct/buckets only re-bin the stored heatmap (≤ 60 slices × 100 buckets).
  'Market.orderBook': { served: 5, onDemandArgs: [] },
  'Market.volume': { served: 5, onDemand: 115 },
  'Market.volumeProfile': { served: 10, onDemand: 86 },
  'Market.whales': { served: 3, onDemand: 5 },
  'Market.data': { served: 2 },
  'Query.correlations': { served: 10, onDemand: 13, scaleBy: { symbols: 20 } },
  'Query.optionsFlow': { served: 20, onDemand: 290 },
  // Served: the cached surface (7 expiries × ~25 strikes, two index terms) presented and serialised; `at` reads
  // one stored row instead (decompressed). atmChanges: three bounded snapshot reads.
  'Query.optionsSurface': { served: 25, onDemand: 10, onDemandArgs: ['at'] },
  'OptionsSurface.atmChanges': { served: 15 },
  // Served: the cached record, reweighed and worded at resolve time. On demand: one interval computed (its
  // structure, levels, profile, volume and volatility for that interval, then the twelve layers).
  'Market.confirmation': { served: 5, onDemand: 400, onDemandArgs: ['interval'] },
  // A non-default interval computes that interval's confirmation (the same work) plus the scenarios (≈ 0.05 ms).
  'Market.scenarios': { served: 5, onDemand: 400, onDemandArgs: ['interval'] },
  // The default four intervals are three on-demand computations (I1H is cached); each interval asked costs one.
  'Query.confirmationMatrix': { served: 1210, onDemand: 400, scaleBy: { intervals: 1 }, onDemandArgs: ['intervals'] },
  'Query.sentiment': { served: 3, onDemand: 4 },
  'Query.emergency': { served: 3 },
  'Market.emergency': { served: 3 },
  'Query.snapshots': { served: 50 },
  // At most 100 rows per page (snapshots reads up to 1 000 for 50), each decompressed and presented as its typed result.
  'Query.analysisHistory': { served: 40 },
  // One snapshot per bar of a window of at most 500 bars read (PGlite on this thread), decompressed and graded:
  // 500 bars with 3 snapshots each measured 220-340 ms (confirmation, 8 KB payloads) and 170-310 ms
  // (scenarios, 5 KB) at load ≈ 9 on the 2 cores, decompression 53 ms of it; charged at about the lower figure.
  'Query.confirmationTrackRecord': { served: 2_000 },
  'Query.scenarioTrackRecord': { served: 1_500 },
  'Query.health': { served: 5 },
  'Query.optionsChain': { served: 20 },
  // Computed per request (no cached result): bench/position-plan.ts, added latency over a trivial query × 10,
  // the highest of three runs; portfolioRisk at its 50-position maximum (1 225 pairs).
  'Query.positionPlan': { served: 16 },
  'Query.portfolioRisk': { served: 90 },
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
  /**
   * Field selections after expanding fragments (not multiplied by `markets` sizes): what validation and
   * field collection walk. A fragment bomb (each fragment spreading the next twice) is small as text but
   * exponential here.
   */
  selections: number;
}

/** Largest number of field selections after fragment expansion (see `CostReport.selections`). */
export const MAX_SELECTIONS = 2_000;

function sameValue(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Cost of an operation: Σ over selected fields of their cost, multiplied by the length of list arguments
 * that size the returned list (`markets(symbols)`) for everything below them. A field whose argument
 * values (after variables and schema defaults) differ from the defaults is costed as an on-demand
 * computation. Safe before validation too: unknown fields and fragments count nothing, cycles count once.
 */
export function operationCost(input: CostInput): CostReport {
  const { schema, document } = input;
  const fragments = new Map<string, FragmentDefinitionNode>();
  let operation: OperationDefinitionNode | undefined;
  for (const def of document.definitions) {
    if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
    else if (def.kind === Kind.OPERATION_DEFINITION && (!input.operationName || def.name?.value === input.operationName)) operation ??= def;
  }
  const report: CostReport = { cost: 0, onDemandFields: 0, selections: 0 };
  if (!operation) return report;
  const root = operation.operation === 'query' ? schema.getQueryType() : operation.operation === 'mutation' ? schema.getMutationType() : schema.getSubscriptionType();
  if (!root) return report;
  const variables = input.variableValues ?? {};
  // Cost is linear in the multiplier, so a fragment is walked once per parent type at multiplier 1 and
  // reused: the walk stays linear in the document's size even for a fragment bomb, and a cycle (only
  // possible before validation) counts once instead of recursing forever.
  const fragmentCosts = new Map<string, CostReport>();

  function walk(set: SelectionSetNode, parent: GraphQLCompositeType, multiplier: number, into: CostReport, past = false): void {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value);
        if (!fragment) continue;
        const type = (schema.getType(fragment.typeCondition.name.value) as GraphQLCompositeType) ?? parent;
        const memo = `${fragment.name.value}\n${type.name}\n${past}`;
        let part = fragmentCosts.get(memo);
        if (!part) {
          part = { cost: 0, onDemandFields: 0, selections: 0 };
          fragmentCosts.set(memo, part);
          walk(fragment.selectionSet, type, 1, part, past);
        }
        into.cost += part.cost * multiplier;
        into.onDemandFields += part.onDemandFields * multiplier;
        into.selections += part.selections;
        continue;
      }
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? (schema.getType(selection.typeCondition.name.value) as GraphQLCompositeType) : parent;
        walk(selection.selectionSet, type ?? parent, multiplier, into, past);
        continue;
      }
      into.selections += 1;
      if (!isObjectType(parent)) continue;
      const field: GraphQLField<unknown, unknown> | undefined = parent.getFields()[selection.name.value];
      if (!field) continue;
      const coordinate = `${parent.name}.${field.name}`;
      const cost = FIELD_COSTS[coordinate];
      const sizeArg = LIST_SIZE_ARGUMENTS[coordinate];
      let args: Record<string, unknown> | undefined;
      const argsOf = () => (args ??= safeArgs(field, selection, variables));
      if (cost && past) {
        into.cost += (cost.served + (cost.timeTravel ?? cost.onDemand ?? 10 * cost.served)) * multiplier;
        into.onDemandFields += multiplier;
      } else if (cost) {
        let fieldCost = cost.served;
        if (cost.onDemand !== undefined) {
          const values = argsOf();
          const custom = field.args.some(
            (arg) => (cost.onDemandArgs ?? [arg.name]).includes(arg.name) && values[arg.name] !== undefined && !sameValue(values[arg.name], arg.defaultValue),
          );
          if (custom) {
            let onDemand = cost.onDemand;
            for (const [name, per] of Object.entries(cost.scaleBy ?? {})) {
              const list = values[name];
              if (Array.isArray(list)) onDemand *= Math.max(1, list.length / per);
            }
            fieldCost += onDemand;
            into.onDemandFields += multiplier;
          }
        }
        into.cost += fieldCost * multiplier;
      }
      let childMultiplier = multiplier;
      if (sizeArg) {
        const list = argsOf()[sizeArg];
        if (Array.isArray(list)) childMultiplier *= Math.max(1, list.length);
      }
      let childPast = past;
      if (TIME_TRAVEL_FIELDS.has(coordinate) && argsOf().at != null) {
        childPast = true;
        into.cost += TIME_TRAVEL_RESTORE_COST * childMultiplier;
      }
      const named = getNamedType(field.type);
      if (selection.selectionSet && isCompositeType(named)) walk(selection.selectionSet, named, childMultiplier, into, childPast);
    }
  }
  walk(operation.selectionSet, root, 1, report);
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

const oversizeError = (oversize: { name: string; length: number }, maxListItems: number) =>
  new AppError(ErrorCodes.BAD_USER_INPUT, `Variable $${oversize.name} holds a list of ${oversize.length} items; lists may hold at most ${maxListItems}.`, {
    variable: oversize.name,
    items: oversize.length,
    maxListItems,
    http: { status: 400 },
  });

const costError = (report: CostReport, maxCost: number) =>
  new AppError(
    ErrorCodes.COST_LIMIT_EXCEEDED,
    `Query cost ${Math.round(report.cost)} exceeds the limit of ${maxCost} (${report.onDemandFields} fields computed on demand for non-default arguments; each analysis is costed as in README "Query cost", multiplied by the markets asked for). Ask for fewer markets or analyses, or use default arguments.`,
    { cost: Math.round(report.cost), maxCost, onDemandFields: report.onDemandFields, http: { status: 400 } },
  );

const selectionsError = (report: CostReport) =>
  new AppError(ErrorCodes.QUERY_TOO_COMPLEX, `Query too complex: ${report.selections} field selections after expanding fragments exceed the limit of ${MAX_SELECTIONS}.`, {
    limit: 'cost',
    selections: report.selections,
    maxSelections: MAX_SELECTIONS,
    http: { status: 400 },
  });

/**
 * yoga answers validation errors to `application/json` clients with 200 (GraphQL over HTTP's legacy rule,
 * `http.spec`); these are the same rejections as at execution, which answer 400, so they say so.
 */
function asRequestError(error: AppError): AppError {
  (error.extensions as Record<string, unknown>).http = { status: 400, spec: false };
  return error;
}

/**
 * Rejects an operation whose cost (see `operationCost`) exceeds `maxCost`, before any resolver runs,
 * with COST_LIMIT_EXCEEDED naming the cost, the limit and the on-demand field count; a document whose
 * fragments expand past MAX_SELECTIONS field selections with QUERY_TOO_COMPLEX (`limit: cost`).
 *
 * Checked twice: before validation on the raw variables, so a costly document is refused for the price
 * of one linear walk instead of graphql-js validation plus the walk (`bench:abuse`: that was most of
 * what an attack cost), and again at execution on the coerced variables (variable defaults, coerced
 * lists), which is the exact figure. The first check only ever rejects what the second would.
 */
export function useQueryCost(options: { maxCost: number; maxListItems: number; precheck?: Pick<CostPrecheck, 'passed'> }): Plugin {
  return {
    onValidate({ context, params, setResult }) {
      // The HTTP handler's precheck already walked this request's document and passed it.
      const req = (context as { req?: object }).req;
      if (req && options.precheck?.passed(req)) return;
      const request = (context as { params?: { variables?: Record<string, unknown> | null; operationName?: string | null } }).params;
      const oversize = oversizeList(request?.variables, options.maxListItems);
      if (oversize) {
        setResult([asRequestError(oversizeError(oversize, options.maxListItems))]);
        return;
      }
      let report: CostReport;
      try {
        report = operationCost({ schema: params.schema, document: params.documentAST, operationName: request?.operationName, variableValues: request?.variables });
      } catch {
        return; // left to validation, which reports what is wrong with the document
      }
      if (report.selections > MAX_SELECTIONS) setResult([asRequestError(selectionsError(report))]);
      else if (report.cost > options.maxCost) setResult([asRequestError(costError(report, options.maxCost))]);
    },
    onExecute({ args, setResultAndStopExecution }) {
      const oversize = oversizeList(args.variableValues, options.maxListItems);
      if (oversize) {
        setResultAndStopExecution({ errors: [oversizeError(oversize, options.maxListItems)] });
        return;
      }
      const report = operationCost({ schema: args.schema, document: args.document, operationName: args.operationName, variableValues: args.variableValues });
      if (report.selections > MAX_SELECTIONS) setResultAndStopExecution({ errors: [selectionsError(report)] });
      else if (report.cost > options.maxCost) setResultAndStopExecution({ errors: [costError(report, options.maxCost)] });
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

export interface CostPrecheckOptions {
  schema: GraphQLSchema;
  maxCost: number;
  maxListItems: number;
  /** Same token limit as graphql-armor's maxTokens; a document over it is left to yoga (which rejects it). */
  maxTokens: number;
  /** Parsed documents kept by text (oldest dropped first); default 500. */
  cacheEntries?: number;
}

export interface CostPrecheck {
  /**
   * The coded rejection (COST_LIMIT_EXCEEDED, QUERY_TOO_COMPLEX, BAD_USER_INPUT for an oversize list)
   * that `useQueryCost` would answer for this request, or undefined when the request must go through
   * yoga (within limits, or not parseable: yoga reports what is wrong with it).
   */
  (query: string, variables: Record<string, unknown> | null | undefined, operationName: string | null | undefined, request?: object): AppError | undefined;
  /**
   * True when `request`'s document was parsed and walked here and passed: `useQueryCost` then skips its
   * own pre-validation walk, which would reach the same verdict (same function, same raw variables).
   */
  passed(request: object): boolean;
  /** The parsed document of `query` (through the same cache the check uses); null when it does not parse. */
  document(query: string): DocumentNode | null;
  stats(): { checked: number; rejected: number; parsed: number; entries: number };
}

/**
 * The cost check of `useQueryCost` ahead of yoga, for the HTTP handler: a costly document is refused
 * for one parse (token-limited) and one linear walk, without yoga's Fetch-API request, envelop's
 * pipeline or error masking (`bench:abuse`: that pipeline was most of what a rejected attack request
 * cost). Parsed documents are kept by text (bounded), so a repeated document costs the walk only.
 * Identical verdicts to `useQueryCost`'s first check (same function on the same raw variables).
 */
export function createCostPrecheck(options: CostPrecheckOptions): CostPrecheck {
  const max = options.cacheEntries ?? 500;
  const documents = new Map<string, DocumentNode | null>();
  const counters = { checked: 0, rejected: 0, parsed: 0 };
  const passedRequests = new WeakSet<object>();
  const documentOf = (query: string): DocumentNode | null => {
    let document = documents.get(query);
    if (document === undefined) {
      counters.parsed += 1;
      try {
        document = parse(query, { noLocation: true, maxTokens: options.maxTokens });
      } catch {
        document = null; // syntax error or over the token limit: yoga answers it
      }
      if (query.length <= 20_000) documents.set(query, document);
      if (documents.size > max) documents.delete(documents.keys().next().value as string);
    }
    return document;
  };
  const check = ((query, variables, operationName, request) => {
    counters.checked += 1;
    const oversize = oversizeList(variables, options.maxListItems);
    if (oversize) {
      counters.rejected += 1;
      return oversizeError(oversize, options.maxListItems);
    }
    const document = documentOf(query);
    if (!document) return undefined;
    let report: CostReport;
    try {
      report = operationCost({ schema: options.schema, document, operationName, variableValues: variables });
    } catch {
      return undefined;
    }
    const error = report.selections > MAX_SELECTIONS ? selectionsError(report) : report.cost > options.maxCost ? costError(report, options.maxCost) : undefined;
    if (error) counters.rejected += 1;
    else if (request) passedRequests.add(request);
    return error;
  }) as CostPrecheck;
  check.passed = (request) => passedRequests.has(request);
  check.document = documentOf;
  check.stats = () => ({ ...counters, entries: documents.size });
  return check;
}
