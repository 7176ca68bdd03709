import { z } from 'zod';
import { requireScope, Scopes } from '../auth/index.js';
import { SCOPE_EXTENSION } from '../auth/access.js';
import type { GraphQLContext } from '../context.js';
import { AppError, badInput, ErrorCodes } from '../errors.js';
import { builder } from '../schema/builder.js';
import { ApiKeyRef, ApiKeyScopeEnum, CreateApiKeyInputRef, CreatedApiKeyRef } from '../schema/refs-auth.js';

ApiKeyRef.implement({
  description: 'An API key as listings show it: its public prefix and metadata, never its secret.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Stable identifier, used to revoke the key.' }),
    name: t.exposeString('name', { description: 'What the key is for, as given when it was created.' }),
    prefix: t.exposeString('prefix', { description: 'The public part of the key (pg_<prefix>_...), which identifies it in listings and logs.' }),
    scopes: t.field({ type: [ApiKeyScopeEnum], description: 'What the key may do.', resolve: (k) => k.scopes }),
    origin: t.exposeString('origin', { description: 'How the key was made: cli (the apikey command), api (createApiKey) or bootstrap (the ADMIN_API_KEY setting).' }),
    createdAt: t.field({ type: 'DateTime', description: 'When the key was created.', resolve: (k) => k.createdAt }),
    expiresAt: t.field({ type: 'DateTime', nullable: true, description: 'When the key stops working; null when it never expires.', resolve: (k) => k.expiresAt }),
    revokedAt: t.field({ type: 'DateTime', nullable: true, description: 'When the key was revoked; null while it is not.', resolve: (k) => k.revokedAt }),
    lastUsedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the key last authenticated a request (written at most once a minute per key); null when never used.',
      resolve: (k) => k.lastUsedAt,
    }),
    active: t.exposeBoolean('active', { description: 'True while the key is accepted: neither revoked nor expired.' }),
  }),
});

CreatedApiKeyRef.implement({
  description: 'A newly created API key. The plaintext key is shown here once and cannot be read again.',
  fields: (t) => ({
    key: t.exposeString('key', { description: 'The whole key (pg_<prefix>_<secret>), to send as "Authorization: Bearer <key>". Store it now: only its hash is kept.' }),
    apiKey: t.field({ type: ApiKeyRef, description: 'The stored key, as listings show it.', resolve: (c) => c.apiKey }),
  }),
});

function admin(ctx: GraphQLContext) {
  requireScope(ctx, Scopes.ADMIN);
  if (!ctx.services.apiKeys) throw new AppError(ErrorCodes.NOT_READY, 'API keys are not available on this instance yet.');
  return ctx.services.apiKeys;
}

// Validated in the resolver, after the scope check, so a caller without the scope learns nothing about its input.
const createInput = z.object({
  name: z.string().trim().min(1, 'name must not be empty').max(100, 'name must be at most 100 characters'),
  scopes: z.array(z.string()).min(1, 'scopes: give at least one scope'),
  expiresAt: z.number().nullish(),
});

// --- Queries ---

builder.queryField('apiKeys', (t) =>
  t.field({
    type: [ApiKeyRef],
    description: 'Every API key, newest first, revoked and expired ones included; never their secrets. Needs the ADMIN scope.',
    extensions: { [SCOPE_EXTENSION]: Scopes.ADMIN },
    resolve: (_root, _args, ctx) => admin(ctx).list(),
  }),
);

// --- Mutations ---

builder.mutationField('createApiKey', (t) =>
  t.field({
    type: CreatedApiKeyRef,
    description: 'Creates an API key and returns it in plaintext this once (only its hash is stored). Needs the ADMIN scope.',
    extensions: { [SCOPE_EXTENSION]: Scopes.ADMIN },
    args: { input: t.arg({ type: CreateApiKeyInputRef, required: true, description: 'Name, scopes and optional expiry of the key.' }) },
    resolve: async (_root, args, ctx) => {
      const keys = admin(ctx);
      const parsed = createInput.safeParse(args.input);
      if (!parsed.success) throw badInput(parsed.error.issues.map((issue) => issue.message).join('; '));
      const { name, expiresAt } = parsed.data;
      const created = await keys.create({ name, scopes: args.input.scopes, expiresAt: expiresAt ?? null });
      return { key: created.plaintext, apiKey: created.record };
    },
  }),
);

builder.mutationField('revokeApiKey', (t) =>
  t.field({
    type: ApiKeyRef,
    description: 'Revokes an API key at once (revoking it again keeps the first revocation time). Needs the ADMIN scope.',
    extensions: { [SCOPE_EXTENSION]: Scopes.ADMIN },
    args: { id: t.arg.id({ required: true, description: 'The id of the key (ApiKey.id).' }) },
    resolve: async (_root, args, ctx) => {
      const keys = admin(ctx);
      const revoked = await keys.revoke(String(args.id));
      if (!revoked) throw new AppError(ErrorCodes.NOT_FOUND, `No API key with id ${JSON.stringify(String(args.id))}.`);
      return revoked;
    },
  }),
);
