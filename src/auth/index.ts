export { ALL_SCOPES, hasScope, isScope, parseScopes, Scopes, type AuthContext, type Scope } from './scopes.js';
export { requireScope } from './require-scope.js';
export { ANONYMOUS, createAuthenticator, type Authenticator, type RequestAuth } from './authenticator.js';
export { operationAccess, useAccessControl, type AccessPolicy } from './access.js';
export { createApiKeyStore, type ApiKeyRecord, type ApiKeyStore, type ApiKeyOrigin } from './key-store.js';
export { generateApiKey, parseApiKey, KEY_PATTERN } from './keys.js';
