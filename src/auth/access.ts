import { getOperationAST, Kind, type DocumentNode, type FragmentDefinitionNode, type GraphQLObjectType, type GraphQLSchema, type SelectionSetNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { AppError, ErrorCodes } from '../errors.js';
import { unauthenticated, type RequestAuth } from './authenticator.js';
import { hasScope, Scopes, type Scope } from './scopes.js';

export interface AccessPolicy {
  /** QUERIES_REQUIRE_KEY: queries and subscriptions need a key with the `read` scope. */
  queriesRequireKey: boolean;
}

export const forbidden = (scope: Scope) =>
  new AppError(ErrorCodes.FORBIDDEN, `This API key lacks the "${scope}" scope this needs.`, { scope, http: { status: 403 } });

/**
 * Whether an operation may run with these credentials, judged from the document's operation type alone
 * (nothing of its input): every mutation needs a valid key (each field then checks its own scope with
 * `requireScope`); queries and subscriptions need one with `read` when the policy says so. Undefined when
 * allowed, or when the document names no runnable operation (validation then says what is wrong).
 */
export function operationAccess(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  credentials: RequestAuth | undefined,
  policy: AccessPolicy,
): AppError | undefined {
  const definition = getOperationAST(document, operationName ?? undefined);
  if (!definition) return undefined;
  const operation = definition.operation;
  const root = schema.getRootType(operation);
  const scoped = root ? requiredScopes(root, definition.selectionSet, document) : [];
  if (operation !== 'mutation' && !policy.queriesRequireKey && scoped.length === 0) return undefined;
  if (credentials?.failure) return credentials.failure;
  const auth = credentials?.auth;
  if (!auth) {
    return unauthenticated(
      operation === 'mutation'
        ? 'Mutations need an API key: send "Authorization: Bearer <key>".'
        : scoped.length > 0
          ? `This needs an API key with the "${scoped[0]}" scope: send "Authorization: Bearer <key>".`
          : 'This server requires an API key with the "read" scope for queries and subscriptions: send "Authorization: Bearer <key>".',
    );
  }
  if (operation !== 'mutation' && policy.queriesRequireKey && !hasScope(auth, Scopes.READ)) return forbidden(Scopes.READ);
  const missing = scoped.find((scope) => !hasScope(auth, scope));
  return missing ? forbidden(missing) : undefined;
}

/** Field extension naming the scope a root field needs: `extensions: { [SCOPE_EXTENSION]: 'admin' }`. */
export const SCOPE_EXTENSION = 'requiredScope';

/**
 * Scopes the root fields selected by an operation declare (`extensions.requiredScope`), fragments on the
 * root type included. Checked up front so FORBIDDEN, like UNAUTHENTICATED, comes before any input is read;
 * resolvers still call `requireScope` themselves.
 */
function requiredScopes(root: GraphQLObjectType, selectionSet: SelectionSetNode, document: DocumentNode): Scope[] {
  const fields = root.getFields();
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  const found = new Set<Scope>();
  const seen = new Set<string>();
  const walk = (set: SelectionSetNode) => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const scope = fields[selection.name.value]?.extensions?.[SCOPE_EXTENSION];
        if (typeof scope === 'string') found.add(scope as Scope);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) walk(selection.selectionSet);
      else if (!seen.has(selection.name.value)) {
        seen.add(selection.name.value);
        const fragment = fragments.get(selection.name.value);
        if (fragment) walk(fragment.selectionSet);
      }
    }
  };
  walk(selectionSet);
  return [...found];
}

/** The request's credentials as the HTTP handler and the graphql-ws server hand them to yoga. */
export interface CredentialsContext {
  credentials?: RequestAuth;
  /** The response cache's bookkeeping of this HTTP request (src/http/graphql-handler.ts). */
  deps?: { uncacheable: boolean };
}

/**
 * Refuses what `operationAccess` refuses at the start of validation, i.e. after parsing and before
 * validation, variable coercion and every resolver: an unauthenticated mutation with invalid input gets
 * UNAUTHENTICATED, not a complaint about its input. Thrown rather than `setResult`, so yoga's validation
 * cache (keyed by document only) never remembers a refusal meant for one caller.
 *
 * Mutations are never cached by the HTTP response cache.
 */
export function useAccessControl(policy: AccessPolicy): Plugin {
  return {
    onValidate({ context, params }) {
      const ctx = context as CredentialsContext & { params?: { operationName?: string | null } };
      const refusal = operationAccess(params.schema, params.documentAST, ctx.params?.operationName, ctx.credentials, policy);
      if (refusal) throw refusal;
    },
    onExecute({ args }) {
      const ctx = args.contextValue as CredentialsContext;
      if (ctx.deps && getOperationAST(args.document, args.operationName ?? undefined)?.operation === 'mutation') ctx.deps.uncacheable = true;
    },
  };
}
