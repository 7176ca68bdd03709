import type { ApiKeyView } from '../context.js';
import { Scopes } from '../auth/scopes.js';
import { builder } from './builder.js';

export const ApiKeyScopeEnum = builder.enumType('ApiKeyScope', {
  description: 'What an API key may do. ADMIN implies every other scope.',
  values: {
    READ: { value: Scopes.READ, description: 'Queries and subscriptions, when the server requires a key for them (QUERIES_REQUIRE_KEY).' },
    ALERTS: { value: Scopes.ALERTS, description: 'Create, change and delete alert rules.' },
    BACKTESTS: { value: Scopes.BACKTESTS, description: 'Start and manage backtest and optimisation jobs.' },
    ADMIN: { value: Scopes.ADMIN, description: 'Everything, including creating, listing and revoking API keys.' },
  } as const,
});

export const ApiKeyRef = builder.objectRef<ApiKeyView>('ApiKey');

/** The one response that carries a key in plaintext. */
export const CreatedApiKeyRef = builder.objectRef<{ key: string; apiKey: ApiKeyView }>('CreatedApiKey');

export const CreateApiKeyInputRef = builder.inputType('CreateApiKeyInput', {
  description: 'A new API key.',
  fields: (t) => ({
    name: t.string({ required: true, description: 'What the key is for, 1 to 100 characters, e.g. "alert bot".' }),
    scopes: t.field({ type: [ApiKeyScopeEnum], required: true, description: 'What the key may do; at least one scope.' }),
    expiresAt: t.field({ type: 'DateTime', description: 'When the key stops working; default never. Must be in the future.' }),
  }),
});
