/** What an API key may do. `admin` implies every other scope. */
export const Scopes = { READ: 'read', ALERTS: 'alerts', BACKTESTS: 'backtests', ADMIN: 'admin' } as const;
export type Scope = (typeof Scopes)[keyof typeof Scopes];

export const ALL_SCOPES: readonly Scope[] = Object.values(Scopes);

/** The identity behind a request that presented a valid API key. */
export interface AuthContext {
  keyId: string;
  name: string;
  scopes: ReadonlySet<Scope>;
}

export const isScope = (value: string): value is Scope => (ALL_SCOPES as readonly string[]).includes(value);

/** Whether `auth` grants `scope` (an admin key grants every scope). */
export function hasScope(auth: AuthContext, scope: Scope): boolean {
  return auth.scopes.has(scope) || auth.scopes.has(Scopes.ADMIN);
}

/** `alerts,read` → ['alerts', 'read'] (trimmed, deduplicated, sorted); throws naming an unknown scope. */
export function parseScopes(text: string): Scope[] {
  const names = text
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  if (names.length === 0) throw new Error(`no scope given; choose from ${ALL_SCOPES.join(', ')}`);
  for (const name of names) if (!isScope(name)) throw new Error(`unknown scope "${name}"; choose from ${ALL_SCOPES.join(', ')}`);
  return [...new Set(names as Scope[])].sort();
}
