import type { GraphQLContext } from '../context.js';
import { forbidden } from './access.js';
import { unauthenticated } from './authenticator.js';
import { hasScope, type AuthContext, type Scope } from './scopes.js';

/**
 * The caller's identity when its key grants `scope` (admin grants all); throws UNAUTHENTICATED (HTTP 401)
 * without a valid key, FORBIDDEN (HTTP 403) without the scope. Resolvers call it first, before reading
 * their input.
 */
export function requireScope(context: GraphQLContext, scope: Scope): AuthContext {
  const auth = context.auth;
  if (!auth) throw unauthenticated(`This needs an API key with the "${scope}" scope: send "Authorization: Bearer <key>".`);
  if (!hasScope(auth, scope)) throw forbidden(scope);
  return auth;
}
