import { encodeGlobalID } from '@pothos/plugin-relay';
import { Types } from 'mongoose';
import { builder, sessionOnly } from '../../graphql/builder.js';
import { noteReads } from '../../graphql/request-scoped.js';
import { asPayload, ErrorInterface } from '../../graphql/errors.js';
import { pageWindow } from '../../lib/connection.js';
import { rawId } from '../../lib/ids.js';
import { ROLES } from '../../lib/roles.js';
import { SCOPE_DESCRIPTIONS, type FineScope } from '../../lib/scopes.js';
import type { TokenScope } from '../../context.js';
import type { UserDoc } from './user.model.js';
import { reposOf } from '../services.js';
import { userIdByHandle } from './user.handles.js';
import { UserRef } from './user.refs.js';
import { listMembers } from '../members/members.service.js';
import { createApiToken, organizationApiTokens, revokeApiToken, signIn, signOut, signUp, updateProfile } from './user.service.js';

const MemberOrderEnum = builder.enumType('MemberOrder', { values: ['REPUTATION', 'NEWEST', 'NAME'] as const });

export const RoleEnum = builder.enumType('Role', {
  values: ROLES,
  description:
    'MEMBER asks and answers; STAFF is a vendor engineer (verifies answers, shown with an affiliation); MODERATOR curates; ADMIN runs the site.',
});

const SocialLink = builder.objectRef<{ label: string; url: string }>('SocialLink').implement({
  fields: (t) => ({ label: t.exposeString('label'), url: t.exposeString('url') }),
});

export const AttributionRef = builder.objectRef<{
  site: string;
  originalId: string;
  url: string;
  authorName?: string | null;
  authorUrl?: string | null;
  license: string;
}>('Attribution');
AttributionRef.implement({
  description: 'Where imported content came from (e.g. a Stack Exchange site, CC BY-SA).',
  fields: (t) => ({
    site: t.exposeString('site'),
    originalId: t.exposeString('originalId'),
    url: t.exposeString('url'),
    authorName: t.string({ nullable: true, resolve: (a) => a.authorName ?? null }),
    authorUrl: t.string({ nullable: true, resolve: (a) => a.authorUrl ?? null }),
    license: t.exposeString('license'),
  }),
});

const isSelf = (ctx: { viewer: { id: string } | null }, u: UserDoc) => ctx.viewer?.id === u._id.toHexString();

UserRef.implement({
  description: 'A member of the community.',
  fields: (t) => ({
    handle: t.exposeString('handle'),
    displayName: t.exposeString('displayName'),
    bio: t.exposeString('bio', { description: 'Markdown source' }),
    bioHTML: t.exposeString('bioHTML', { description: 'Sanitized HTML' }),
    location: t.exposeString('location', { nullable: true }),
    websiteUrl: t.exposeString('websiteUrl', { nullable: true }),
    socialLinks: t.field({ type: [SocialLink], resolve: (u) => u.socialLinks ?? [] }),
    expertiseTags: t.exposeStringList('expertiseTags'),
    role: t.field({ type: RoleEnum, resolve: (u) => u.role }),
    affiliation: t.exposeString('affiliation', { nullable: true, description: 'The vendor a STAFF member works for' }),
    reputation: t.exposeInt('reputation'),
    questionCount: t.exposeInt('questionCount'),
    answerCount: t.exposeInt('answerCount'),
    createdAt: t.field({ type: 'DateTime', resolve: (u) => u.createdAt }),
    lastSeenAt: t.field({ type: 'DateTime', nullable: true, resolve: (u) => u.lastSeenAt ?? null }),
    attribution: t.field({ type: AttributionRef, nullable: true, resolve: (u) => u.attribution ?? null }),
    url: t.string({ description: 'Canonical path of the profile page', resolve: (u) => `/users/${encodeURIComponent(u.handle)}` }),
    email: t.string({
      nullable: true,
      description: 'Only visible to the member themself.',
      resolve: (u, _a, ctx) => (isSelf(ctx, u) ? (u.email ?? null) : null),
    }),
    isViewer: t.boolean({ resolve: (u, _a, ctx) => isSelf(ctx, u) }),
    apiTokens: t.field({
      type: [ApiTokenRef],
      description: 'The member’s API tokens (only visible to the member themself).',
      resolve: async (u, _a, ctx) => (isSelf(ctx, u) ? reposOf(ctx).apiTokens.listOf(u._id) : []),
    }),
  }),
});

export interface ApiTokenShape {
  _id: Types.ObjectId;
  name: string;
  scopes: string[];
  prefix: string;
  createdAt: Date;
  lastUsedAt?: Date | null;
  revokedAt?: Date | null;
  expiresAt?: Date | null;
  organizationId?: Types.ObjectId | null;
}

const scopeValue = (scope: FineScope) => ({ value: scope, description: `\`${scope}\`: ${SCOPE_DESCRIPTIONS[scope]}` });

export const ApiTokenScopeEnum = builder.enumType('ApiTokenScope', {
  description: 'What an API token may do (docs/api.md). Sessions hold every scope; the member’s role still decides.',
  values: {
    READ: scopeValue('read'),
    WRITE_QUESTIONS: scopeValue('write:questions'),
    WRITE_ANSWERS: scopeValue('write:answers'),
    WRITE_COMMENTS: scopeValue('write:comments'),
    WRITE_VOTES: scopeValue('write:votes'),
    MODERATE: scopeValue('moderate'),
    ADMIN_WEBHOOKS: scopeValue('admin:webhooks'),
    WRITE: {
      value: 'write',
      description: 'Every write:* scope (tokens made before fine-grained scopes).',
      deprecationReason: 'Use the write:* scopes (WRITE_QUESTIONS, WRITE_ANSWERS, WRITE_COMMENTS, WRITE_VOTES).',
    },
  } as const,
});

export const ApiTokenRef = builder.objectRef<ApiTokenShape>('ApiToken').implement({
  description: 'A personal API token; the secret is shown once, at creation.',
  fields: (t) => ({
    id: t.id({ resolve: (tk) => tk._id.toHexString() }),
    name: t.exposeString('name'),
    scopes: t.field({ type: [ApiTokenScopeEnum], resolve: (tk) => tk.scopes as TokenScope[] }),
    prefix: t.exposeString('prefix', { description: 'The first characters of the token, to recognise it' }),
    createdAt: t.field({ type: 'DateTime', resolve: (tk) => tk.createdAt }),
    lastUsedAt: t.field({ type: 'DateTime', nullable: true, resolve: (tk) => tk.lastUsedAt ?? null }),
    revokedAt: t.field({ type: 'DateTime', nullable: true, resolve: (tk) => tk.revokedAt ?? null }),
    expiresAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the token stops working (null: never)',
      resolve: (tk) => tk.expiresAt ?? null,
    }),
    organizationId: t.id({
      nullable: true,
      description: 'The organisation whose token this is (its admins list and revoke it); null for a personal token',
      resolve: (tk) => (tk.organizationId ? encodeGlobalID('Organization', tk.organizationId.toHexString()) : null),
    }),
  }),
});

builder.queryFields((t) => ({
  viewer: t.field({
    type: UserRef,
    nullable: true,
    description: 'The signed-in member, or null for an anonymous visitor.',
    resolve: (_r, _a, ctx) => ctx.viewer?.id ?? null,
  }),
  user: t.field({
    type: UserRef,
    nullable: true,
    args: { handle: t.arg.string({ required: true }) },
    resolve: async (_r, { handle }, ctx) => {
      noteReads(ctx, ['list:users']);
      const id = await userIdByHandle(ctx.deps, handle);
      return id ? id.toHexString() : null;
    },
  }),
  organizationApiTokens: t.field({
    type: [ApiTokenRef],
    description: 'An organisation’s API tokens (newest first), for its admins, from a signed-in session.',
    args: { organizationId: t.arg.id({ required: true }) },
    resolve: (_r, { organizationId }, ctx) => organizationApiTokens(ctx, rawId(organizationId, ['Organization'], 'organizationId')),
  }),
  users: t.connection({
    type: UserRef,
    description: 'The members directory: by reputation (highest first), newest or by name; with `tag`, the tag’s top answerers.',
    args: {
      orderBy: t.arg({ type: MemberOrderEnum, required: false, defaultValue: 'REPUTATION' }),
      tag: t.arg.string({ required: false }),
    },
    resolve: async (_r, args, ctx) => {
      noteReads(ctx, ['list:users', ...(args.tag ? [`tag_stats:${args.tag.trim().toLowerCase()}`] : [])]);
      return listMembers(ctx, pageWindow(args), args.orderBy ?? 'REPUTATION', args.tag ?? null);
    },
  }),
}));

// ---------------------------------------------------------------------------------------------
// account mutations

builder.relayMutationField(
  'signUp',
  {
    inputFields: (t) => ({
      handle: t.string(),
      email: t.string(),
      password: t.string(),
      displayName: t.string(),
    }),
  },
  {
    ...sessionOnly,
    resolve: (_r, { input }, ctx) => asPayload(async () => ({ viewer: await signUp(ctx, input) })),
  },
  {
    outputFields: (t) => ({
      viewer: t.field({ type: UserRef, nullable: true, resolve: (p) => p.viewer ?? null }),
      errors: t.field({ type: [ErrorInterface], resolve: (p) => p.errors }),
    }),
  },
);

builder.relayMutationField(
  'signIn',
  {
    inputFields: (t) => ({
      login: t.string({ description: 'Handle or email' }),
      password: t.string(),
    }),
  },
  { ...sessionOnly, resolve: (_r, { input }, ctx) => asPayload(async () => ({ viewer: await signIn(ctx, input) })) },
  {
    outputFields: (t) => ({
      viewer: t.field({ type: UserRef, nullable: true, resolve: (p) => p.viewer ?? null }),
      errors: t.field({ type: [ErrorInterface], resolve: (p) => p.errors }),
    }),
  },
);

builder.relayMutationField(
  'signOut',
  { inputFields: () => ({}) },
  {
    ...sessionOnly,
    resolve: (_r, _a, ctx) =>
      asPayload(async () => {
        await signOut(ctx);
        return { ok: true };
      }),
  },
  {
    outputFields: (t) => ({
      ok: t.boolean({ resolve: (p) => p.ok ?? false }),
      errors: t.field({ type: [ErrorInterface], resolve: (p) => p.errors }),
    }),
  },
);

const SocialLinkInput = builder.inputType('SocialLinkInput', {
  fields: (t) => ({ label: t.string(), url: t.string() }),
});

builder.relayMutationField(
  'updateProfile',
  {
    inputFields: (t) => ({
      displayName: t.string({ required: false }),
      bio: t.string({ required: false, description: 'Markdown' }),
      location: t.string({ required: false }),
      websiteUrl: t.string({ required: false }),
      socialLinks: t.field({ type: [SocialLinkInput], required: false }),
      expertiseTags: t.stringList({ required: false }),
    }),
  },
  {
    ...sessionOnly,
    resolve: (_r, { input }, ctx) =>
      asPayload(async () => ({
        user: await updateProfile(ctx, {
          displayName: input.displayName ?? undefined,
          bio: input.bio ?? undefined,
          location: input.location === undefined ? undefined : input.location,
          websiteUrl: input.websiteUrl === undefined ? undefined : input.websiteUrl || null,
          socialLinks: input.socialLinks ?? undefined,
          expertiseTags: input.expertiseTags ?? undefined,
        }),
      })),
  },
  {
    outputFields: (t) => ({
      user: t.field({ type: UserRef, nullable: true, resolve: (p) => p.user ?? null }),
      errors: t.field({ type: [ErrorInterface], resolve: (p) => p.errors }),
    }),
  },
);

builder.relayMutationField(
  'createApiToken',
  {
    inputFields: (t) => ({
      name: t.string(),
      scopes: t.field({ type: [ApiTokenScopeEnum] }),
      expiresInDays: t.int({ required: false, description: 'The token expires this many days from now (1–366); omit both for no expiry' }),
      expiresAt: t.field({ type: 'DateTime', required: false, description: 'Or: the moment it expires (within 366 days)' }),
      organizationId: t.id({
        required: false,
        description:
          'Make it a token of this organisation (you must be one of its admins): it acts as you, and its admins list and revoke it',
      }),
    }),
  },
  {
    ...sessionOnly,
    resolve: (_r, { input }, ctx) =>
      asPayload(async () =>
        createApiToken(ctx, {
          ...input,
          organizationId: input.organizationId ? rawId(input.organizationId, ['Organization'], 'organizationId') : null,
        }),
      ),
  },
  {
    outputFields: (t) => ({
      apiToken: t.field({ type: ApiTokenRef, nullable: true, resolve: (p) => (p.token as ApiTokenShape | undefined) ?? null }),
      token: t.string({
        nullable: true,
        description: 'The secret. Shown only in this response: store it now.',
        resolve: (p) => p.secret ?? null,
      }),
      errors: t.field({ type: [ErrorInterface], resolve: (p) => p.errors }),
    }),
  },
);

builder.relayMutationField(
  'revokeApiToken',
  { inputFields: (t) => ({ apiTokenId: t.id() }) },
  {
    ...sessionOnly,
    resolve: (_r, { input }, ctx) => asPayload(async () => ({ token: await revokeApiToken(ctx, String(input.apiTokenId)) })),
  },
  {
    outputFields: (t) => ({
      apiToken: t.field({ type: ApiTokenRef, nullable: true, resolve: (p) => (p.token as ApiTokenShape | undefined) ?? null }),
      errors: t.field({ type: [ErrorInterface], resolve: (p) => p.errors }),
    }),
  },
);
