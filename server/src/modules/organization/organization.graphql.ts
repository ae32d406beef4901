import DataLoader from 'dataloader';
import { builder, sessionOnly } from '../../graphql/builder.js';
import { asPayload, ErrorInterface } from '../../graphql/errors.js';
import { noteReads, requestScoped } from '../../graphql/request-scoped.js';
import { encodeCursor, pageWindow, toConnection } from '../../lib/connection.js';
import { rawId, toObjectId } from '../../lib/ids.js';
import { SpaceRef } from '../space/space.refs.js';
import { UserRef } from '../user/user.refs.js';
import { reposOf } from '../services.js';
import type { MembershipDoc, OrganizationDoc } from './organization.model.js';
import { canManageOrganization, canSeeOrganizationPrivate } from './organization.policy.js';
import {
  addOrganizationMember,
  createOrganization,
  orgBadge,
  removeOrganizationMember,
  resolveMembership,
  updateOrganization,
} from './organization.service.js';
import type { Context } from '../../context.js';

export const OrganizationKindEnum = builder.enumType('OrganizationKind', {
  values: ['VENDOR', 'CUSTOMER'] as const,
  description: 'VENDOR runs product spaces (its engineers are STAFF); CUSTOMER members ask there.',
});

export const OrganizationRef = builder.loadableNodeRef<OrganizationDoc, string, string>('Organization', {
  id: { resolve: (o) => o._id.toHexString() },
  load: async (ids, ctx) => {
    noteReads(
      ctx,
      ids.map((id) => `organizations:${id}`),
    );
    const docs = await ctx.deps.repos.organizations.findManyByIds(ids.map((id) => toObjectId(id)).filter((id) => id !== null));
    const byId = new Map(docs.map((d) => [d._id.toHexString(), d]));
    return ids.map((id) => byId.get(id) ?? new Error(`Organization ${id} not found`));
  },
});

/**
 * A member's membership, batched per request: the stored memberships in one read by `_id`s (a
 * stored "no organisation" stays so here: the member's own requests and questions recheck it
 * through `membershipOf`); only a member with none stored yet is resolved alone, once ever.
 */
export function viewerMembership(ctx: Context, userId: string): Promise<MembershipDoc | null> {
  const loader = requestScoped(
    ctx,
    'org-memberships',
    () =>
      new DataLoader(async (ids: readonly string[]) => {
        const oids = ids.map((id) => toObjectId(id));
        const docs = await ctx.deps.repos.organizations.memberships.findManyByIds(oids.filter((id) => id !== null));
        const byId = new Map(docs.map((d) => [d._id.toHexString(), d]));
        return Promise.all(
          oids.map((id) => {
            if (!id) return null;
            const found = byId.get(id.toHexString());
            if (found) return found.orgId ? found : null;
            return resolveMembership(ctx.deps, id, null);
          }),
        );
      }),
  );
  return loader.load(userId);
}

OrganizationRef.implement({
  description: 'A vendor or customer organisation.',
  fields: (t) => ({
    slug: t.exposeString('slug'),
    name: t.exposeString('name'),
    kind: t.field({ type: OrganizationKindEnum, resolve: (o) => o.kind }),
    url: t.string({ resolve: (o) => `/orgs/${o.slug}` }),
    domains: t.stringList({
      description: 'Email domains whose members join (private: members and admins).',
      resolve: (o, _a, ctx) => (canSeeOrganizationPrivate(ctx.viewer, o) ? o.domains : []),
    }),
    supportTier: t.string({
      nullable: true,
      description: 'The customer’s support tier (private: members and admins).',
      resolve: (o, _a, ctx) => (canSeeOrganizationPrivate(ctx.viewer, o) ? o.supportTier : null),
    }),
    members: t.field({
      type: [UserRef],
      description: 'Members (private: members and admins).',
      resolve: (o, _a, ctx) => (canSeeOrganizationPrivate(ctx.viewer, o) ? o.memberIds.map((id) => id.toHexString()) : []),
    }),
    admins: t.field({
      type: [UserRef],
      resolve: (o, _a, ctx) => (canSeeOrganizationPrivate(ctx.viewer, o) ? o.adminIds.map((id) => id.toHexString()) : []),
    }),
    spaces: t.field({
      type: [SpaceRef],
      description: 'VENDOR: its product spaces.',
      resolve: (o) => o.spaceIds.map((id) => id.toHexString()),
    }),
    viewerCanManage: t.boolean({ resolve: (o, _a, ctx) => canManageOrganization(ctx.viewer, o) }),
  }),
});

builder.objectFields(UserRef, (t) => ({
  organization: t.field({
    type: OrganizationRef,
    nullable: true,
    description: 'The organisation the member belongs to.',
    resolve: async (u, _a, ctx) => (await viewerMembership(ctx, u._id.toHexString()))?.orgId?.toHexString() ?? null,
  }),
  orgBadge: t.string({
    nullable: true,
    description: 'A badge such as "Customer · Acme Bank" or "Staff · Acme Corp".',
    resolve: async (u, _a, ctx) => orgBadge(await viewerMembership(ctx, u._id.toHexString())),
  }),
}));

builder.queryFields((t) => ({
  organization: t.field({
    type: OrganizationRef,
    nullable: true,
    args: { slug: t.arg.string({ required: true }) },
    resolve: (_r, { slug }, ctx) => {
      noteReads(ctx, ['list:organizations']);
      return reposOf(ctx).organizations.findBySlug(slug);
    },
  }),
  organizations: t.connection({
    type: OrganizationRef,
    description: 'Organisations by name.',
    resolve: async (_r, args, ctx) => {
      const window = pageWindow(args, 50);
      noteReads(ctx, ['list:organizations']);
      const rows = await reposOf(ctx).organizations.listByName(window);
      return toConnection(rows, window, (o) => encodeCursor(o.name, o._id.toHexString()));
    },
  }),
}));

const payloadFields = {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the field builder of several mutations' payloads
  outputFields: (t: any) => ({
    organization: t.field({
      type: OrganizationRef,
      nullable: true,
      resolve: (p: { organization?: OrganizationDoc }) => p.organization ?? null,
    }),
    errors: t.field({ type: [ErrorInterface], resolve: (p: { errors: unknown[] }) => p.errors }),
  }),
};

builder.relayMutationField(
  'createOrganization',
  {
    inputFields: (t) => ({
      slug: t.string(),
      name: t.string(),
      kind: t.field({ type: OrganizationKindEnum }),
      domains: t.stringList({ required: false }),
      supportTier: t.string({ required: false }),
    }),
  },
  {
    ...sessionOnly,
    resolve: (_r, { input }, ctx) =>
      asPayload(async () => ({
        organization: await createOrganization(ctx, {
          slug: input.slug,
          name: input.name,
          kind: input.kind,
          domains: input.domains ?? undefined,
          supportTier: input.supportTier ?? null,
        }),
      })),
  },
  payloadFields,
);

builder.relayMutationField(
  'updateOrganization',
  {
    inputFields: (t) => ({
      organizationId: t.id(),
      name: t.string({ required: false }),
      domains: t.stringList({ required: false }),
      supportTier: t.string({ required: false }),
      spaceIds: t.idList({ required: false }),
    }),
  },
  {
    ...sessionOnly,
    resolve: (_r, { input }, ctx) =>
      asPayload(async () => ({
        organization: await updateOrganization(ctx, {
          organizationId: rawId(input.organizationId, ['Organization'], 'organizationId'),
          name: input.name ?? undefined,
          domains: input.domains ?? undefined,
          supportTier: input.supportTier === undefined ? undefined : input.supportTier,
          spaceIds: input.spaceIds?.map((id) => rawId(id, ['Space'], 'spaceIds')) ?? undefined,
        }),
      })),
  },
  payloadFields,
);

builder.relayMutationField(
  'addOrganizationMember',
  { inputFields: (t) => ({ organizationId: t.id(), handle: t.string(), admin: t.boolean({ required: false }) }) },
  {
    ...sessionOnly,
    resolve: (_r, { input }, ctx) =>
      asPayload(async () => ({
        organization: await addOrganizationMember(ctx, {
          organizationId: rawId(input.organizationId, ['Organization'], 'organizationId'),
          handle: input.handle,
          admin: input.admin ?? false,
        }),
      })),
  },
  payloadFields,
);

builder.relayMutationField(
  'removeOrganizationMember',
  { inputFields: (t) => ({ organizationId: t.id(), handle: t.string() }) },
  {
    ...sessionOnly,
    resolve: (_r, { input }, ctx) =>
      asPayload(async () => ({
        organization: await removeOrganizationMember(ctx, {
          organizationId: rawId(input.organizationId, ['Organization'], 'organizationId'),
          handle: input.handle,
        }),
      })),
  },
  payloadFields,
);
