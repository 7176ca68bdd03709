import { getOperationAST, Kind, OperationTypeNode, print, visit, type DocumentNode, type ExecutionArgs, type ExecutionResult, type FieldNode, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { AppServices } from '../context.js';
import { depsCurrent, trackingServices, type ResponseDeps } from './graphql-handler.js';

/**
 * Per-market, per-field fragments of `markets(symbols)` responses, cached between executions.
 *
 * The whole-response cache (graphql-handler.ts) drops a `markets(20)` response whenever anything it
 * shows changes: a price tick of any of the 20 symbols (every SIM_TICK_MS, all at once) or a recompute
 * of any of its ≈ 160 analyses, so under a live feed almost every request re-executed the whole
 * ≈ 2 MB response. This plugin executes such a query as one small execution per (market, field of
 * Market): `markets(symbols: ["ETHUSDT"]) { keyLevels { … } }`, each with its own dependencies (the
 * analysis records and tickers it read, recorded as for a whole response), and keeps each completed value
 * while its dependencies are current and for at most the response TTL. A price tick then re-executes the
 * 20 `price` fragments; a keyLevels recompute of ETHUSDT re-executes that one fragment; the rest is reused.
 *
 * The response is the same: the values are what graphql-js completes for that field of that market (same
 * resolvers, same arguments, same variables), assembled in the order graphql-js would (markets in list
 * order, fields in selection order). Each fragment is kept as its JSON, and the response is put together
 * from those: the bytes JSON.stringify gives for the whole result, without serialising 2 MB per request.
 * Anything outside the shape handled here, and any execution with an error, is executed normally, so
 * error paths and partial results are
 * exactly those of one execution. Handled: a query whose only root selection is `markets` (alias and
 * variables allowed, no directives) and whose selections on Market are plain fields (no fragment spread,
 * inline fragment or directive at that level; anything below it is allowed), with distinct response keys.
 *
 * `meta.ageMs` (and other clock-dependent fields: `stale`, time to next funding) in a reused fragment is
 * the value from when that fragment was generated, at most the TTL ago, as in a cached whole response;
 * the response's `age` header and its own TTL count from its oldest fragment (`ResponseDeps.generatedAt`).
 */
export interface FragmentCacheOptions {
  /** The untracked services: each fragment records its own dependencies. */
  services: AppServices;
  /** Longest a fragment is reused (RESPONSE_CACHE_TTL_MS); 0 disables the plugin. */
  ttlMs: number;
  maxEntries: number;
  /** Bound of the fragments held, as the length of their JSON plus their key. */
  maxBytes: number;
  now: () => number;
}

export interface FragmentCacheStats {
  /** Fragments reused / executed; executions run as one execution instead (shape not handled is not counted). */
  hits: number;
  misses: number;
  fallbacks: number;
  entries: number;
  bytes: number;
}

interface Field {
  /** Response key on Market. */
  key: string;
  /** The key as JSON. */
  quotedKey: string;
  node: FieldNode;
  /**
   * Short id of the field as printed plus what it may read besides (fragment definitions, used variable
   * definitions): the same id in every document that asks the same thing, so they share fragments.
   */
  id: number;
  /** Variables the field or the document's fragments use. */
  variables: string[];
}

interface Plan {
  operation: OperationDefinitionNode;
  fragments: FragmentDefinitionNode[];
  markets: FieldNode;
  /** Response key of `markets` (its alias, if any). */
  marketsKey: string;
  fields: Field[];
  /** `markets(<same arguments>) { symbol }`: the normalised symbols, checked by the resolver as usual. */
  symbolsDocument: DocumentNode;
  /** Per symbol, per field: the one-market, one-field document (built once, so graphql-js memoises it). */
  documents: Map<string, DocumentNode[]>;
}

interface Fragment {
  /** The completed value as JSON (JSON.stringify of what graphql-js completed). */
  json: string;
  deps: ResponseDeps;
  storedAt: number;
  size: number;
}

const NOT_HANDLED = null;

/** Field signatures seen so far → short ids (bounded: past the bound, ids are not interned and not shared). */
const signatures = new Map<string, number>();
const MAX_SIGNATURES = 10_000;
let nextSignature = 0;
function signatureId(signature: string): number {
  let id = signatures.get(signature);
  if (id === undefined) {
    id = nextSignature++;
    if (signatures.size < MAX_SIGNATURES) signatures.set(signature, id);
  }
  return id;
}

function variablesIn(node: FieldNode | FragmentDefinitionNode, into: Set<string>): void {
  visit(node, { Variable: (v) => void into.add(v.name.value) });
}

/** The plan for one operation of a document, or null when its shape is not one this plugin handles. */
function planOf(document: DocumentNode, operationName: string | null | undefined): Plan | null {
  const operation = getOperationAST(document, operationName);
  if (!operation || operation.operation !== OperationTypeNode.QUERY || operation.directives?.length) return NOT_HANDLED;
  const roots = operation.selectionSet.selections;
  const markets = roots[0];
  if (roots.length !== 1 || markets?.kind !== Kind.FIELD || markets.name.value !== 'markets' || markets.directives?.length || !markets.selectionSet) return NOT_HANDLED;
  if (!markets.arguments?.some((a) => a.name.value === 'symbols')) return NOT_HANDLED;
  // Time travel builds one point-in-time store per (at, symbol set): split per market it would build one per symbol.
  if (markets.arguments.some((a) => a.name.value === 'at')) return NOT_HANDLED;
  const fragments = document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION);
  const fragmentVariables = new Set<string>();
  for (const fragment of fragments) variablesIn(fragment, fragmentVariables);
  const fragmentText = fragments.map((f) => print(f)).join('\n');
  const fields: Field[] = [];
  const keys = new Set<string>();
  for (const selection of markets.selectionSet.selections) {
    if (selection.kind !== Kind.FIELD || selection.directives?.length) return NOT_HANDLED;
    const key = selection.alias?.value ?? selection.name.value;
    if (keys.has(key)) return NOT_HANDLED; // merged by graphql-js: left to it
    keys.add(key);
    const used = new Set(fragmentVariables);
    variablesIn(selection, used);
    const variables = [...used].sort();
    const definitions = (operation.variableDefinitions ?? []).filter((d) => used.has(d.variable.name.value)).map((d) => print(d));
    fields.push({ key, quotedKey: JSON.stringify(key), node: selection, id: signatureId(`${print(selection)}\n${definitions.join(' ')}\n${fragmentText}`), variables });
  }
  const symbolField: FieldNode = { kind: Kind.FIELD, name: { kind: Kind.NAME, value: 'symbol' } };
  return {
    operation,
    fragments,
    markets,
    marketsKey: markets.alias?.value ?? 'markets',
    fields,
    symbolsDocument: oneMarketsDocument(operation, fragments, markets, markets.arguments, symbolField),
    documents: new Map(),
  };
}

/**
 * The operation (same name and variable definitions, same fragment definitions) with `markets` as its only
 * root field, unaliased, with `args`, selecting only `selection`. Executed without validation (it was
 * validated as part of the whole document), so unused variables and fragments do not matter.
 */
function oneMarketsDocument(operation: OperationDefinitionNode, fragments: FragmentDefinitionNode[], markets: FieldNode, args: FieldNode['arguments'], selection: FieldNode): DocumentNode {
  return {
    kind: Kind.DOCUMENT,
    definitions: [
      {
        ...operation,
        selectionSet: {
          kind: Kind.SELECTION_SET,
          selections: [{ ...markets, alias: undefined, arguments: args, selectionSet: { kind: Kind.SELECTION_SET, selections: [selection] } }],
        },
      },
      ...fragments,
    ],
  };
}

/** The document executing one field of one market: `markets(symbols: [symbol]) { field }`, other arguments unchanged. */
function documentFor(plan: Plan, symbol: string, index: number): DocumentNode {
  let perField = plan.documents.get(symbol);
  if (!perField) plan.documents.set(symbol, (perField = []));
  let document = perField[index];
  if (!document) {
    const args = plan.markets.arguments!.map((a) =>
      a.name.value === 'symbols' ? { ...a, value: { kind: Kind.LIST as const, values: [{ kind: Kind.STRING as const, value: symbol }] } } : a,
    );
    perField[index] = document = oneMarketsDocument(plan.operation, plan.fragments, plan.markets, args, plan.fields[index]!.node);
  }
  return document;
}

/** Plans per document (yoga keeps one parsed document per query text) and operation name. */
const plans = new WeakMap<DocumentNode, Map<string, Plan | null>>();
function cachedPlan(document: DocumentNode, operationName: string | null | undefined): Plan | null {
  let perOperation = plans.get(document);
  if (!perOperation) plans.set(document, (perOperation = new Map()));
  const name = operationName ?? '';
  let plan = perOperation.get(name);
  if (plan === undefined) perOperation.set(name, (plan = planOf(document, operationName)));
  return plan;
}

type Execute = (args: ExecutionArgs) => unknown;

export interface FragmentCache {
  plugin: Plugin;
  stats(): FragmentCacheStats;
}

export function createFragmentCache(options: FragmentCacheOptions): FragmentCache {
  const entries = new Map<string, Fragment>();
  const counters = { hits: 0, misses: 0, fallbacks: 0 };
  let bytes = 0;

  function forget(key: string): void {
    const entry = entries.get(key);
    if (!entry) return;
    entries.delete(key);
    bytes -= entry.size;
  }
  /** Inserts as newest, then drops from the oldest end what is past the TTL or over the bounds (as the response cache does). */
  function remember(key: string, entry: Fragment): void {
    forget(key);
    if (entry.size > options.maxBytes) return;
    entries.set(key, entry);
    bytes += entry.size;
    const t = options.now();
    for (const [oldKey, old] of entries) {
      if (entries.size <= options.maxEntries && bytes <= options.maxBytes && t - old.storedAt < options.ttlMs) break;
      forget(oldKey);
    }
  }
  async function current(entry: Fragment): Promise<boolean> {
    return options.now() - entry.storedAt < options.ttlMs && depsCurrent(options.services, entry.deps);
  }

  /** One field of one market: reused while current, else executed on its own; undefined when that execution had errors. */
  async function fragment(execute: Execute, args: ExecutionArgs, plan: Plan, symbol: string, index: number): Promise<Fragment | undefined> {
    const field = plan.fields[index]!;
    // Each used variable as [value], or [] when not given (its default applies, which null would not).
    const given = (args.variableValues ?? {}) as Record<string, unknown>;
    const variables = field.variables.length ? JSON.stringify(field.variables.map((name) => (Object.prototype.hasOwnProperty.call(given, name) ? [given[name]] : []))) : '';
    const key = `${field.id}\n${symbol}\n${variables}`;
    const cached = entries.get(key);
    if (cached) {
      if (await current(cached)) {
        counters.hits += 1;
        return cached;
      }
      if (entries.get(key) === cached) forget(key);
    }
    counters.misses += 1;
    const deps: ResponseDeps = { records: [], tickers: [], uncacheable: false };
    const storedAt = options.now();
    const contextValue = { ...(args.contextValue as object), services: trackingServices(options.services, deps) };
    const result = (await execute({ ...args, document: documentFor(plan, symbol, index), contextValue })) as ExecutionResult;
    if (result.errors?.length || !result.data) return undefined;
    const value = (result.data[plan.markets.name.value] as Array<Record<string, unknown>>)[0]![field.key];
    const json = JSON.stringify(value) as string | undefined;
    if (json === undefined) return undefined; // never from graphql-js; JSON.stringify would omit the key
    const entry: Fragment = { json, deps, storedAt, size: key.length + json.length };
    if (!deps.uncacheable) remember(key, entry);
    return entry;
  }

  async function executeByFragments(execute: Execute, args: ExecutionArgs, plan: Plan, requestDeps: ResponseDeps): Promise<unknown> {
    const listed = (await execute({ ...args, document: plan.symbolsDocument })) as ExecutionResult;
    if (listed.errors?.length || !listed.data) return execute(args); // the resolver refused the list: its errors, as usual
    const symbols = (listed.data[plan.markets.name.value] as Array<{ symbol: string }>).map((m) => m.symbol);
    // A symbol asked twice (allowed) shares its fragments within the request.
    const pending = new Map<string, Promise<Fragment | undefined>>();
    const once = (symbol: string, index: number) => {
      const id = `${index}\n${symbol}`;
      let part = pending.get(id);
      if (!part) pending.set(id, (part = fragment(execute, args, plan, symbol, index)));
      return part;
    };
    const parts = await Promise.all(symbols.flatMap((symbol) => plan.fields.map((_, index) => once(symbol, index))));
    if (parts.some((part) => part === undefined)) {
      // An error somewhere: one execution reports it at its real path, with the rest of the response.
      counters.fallbacks += 1;
      return execute(args);
    }
    let generatedAt = Infinity;
    const markets = symbols.map((_, i) => {
      const members = plan.fields.map((field, j) => {
        const part = parts[i * plan.fields.length + j]!;
        requestDeps.records.push(...part.deps.records);
        requestDeps.tickers.push(...part.deps.tickers);
        if (part.deps.uncacheable) requestDeps.uncacheable = true;
        generatedAt = Math.min(generatedAt, part.storedAt);
        return `${field.quotedKey}:${part.json}`;
      });
      return `{${members.join(',')}}`;
    });
    if (generatedAt !== Infinity) requestDeps.generatedAt = Math.min(requestDeps.generatedAt ?? generatedAt, generatedAt);
    // Exactly JSON.stringify({ data: { [marketsKey]: [{ [key]: value, … }, …] } }), as graphql-js would
    // complete it and yoga serialise it, put together from the fragments' JSON. yoga calls a result's own
    // `stringify` when it has one; `data` is there for anything else that reads the result.
    const text = `{"data":{${JSON.stringify(plan.marketsKey)}:[${markets.join(',')}]}}`;
    return {
      get data() {
        return (JSON.parse(text) as ExecutionResult).data;
      },
      stringify: () => text,
    };
  }

  const plugin: Plugin = {
    onExecute({ args, executeFn, setExecuteFn }) {
      if (options.ttlMs <= 0) return;
      // Only requests the HTTP handler may cache carry deps (POST/GET, not streamed).
      const requestDeps = (args.contextValue as { deps?: ResponseDeps }).deps;
      if (!requestDeps) return;
      const plan = cachedPlan(args.document, args.operationName);
      if (!plan) return;
      const execute = executeFn as Execute;
      setExecuteFn(((executeArgs: ExecutionArgs) => executeByFragments(execute, executeArgs, plan, requestDeps)) as never);
    },
  };
  return { plugin, stats: () => ({ ...counters, entries: entries.size, bytes }) };
}
