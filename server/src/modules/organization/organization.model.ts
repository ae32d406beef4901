import { Schema, model, type Types } from 'mongoose';

/**
 * An organisation: the VENDOR that runs product spaces (its engineers are STAFF with its name as
 * affiliation) or a CUSTOMER whose members ask there (a support tier sets their SLA targets).
 * Members are listed here and each has a membership document (`org_memberships`, `_id`: the
 * member's id) so that a user chip reads its badge by `_id`; `org_domains` maps an email domain
 * (`_id`) to the organisation members of that domain join.
 */
const organizationSchema = new Schema(
  {
    slug: { type: String, required: true },
    name: { type: String, required: true },
    kind: { type: String, enum: ['VENDOR', 'CUSTOMER'], required: true },
    domains: { type: [String], default: [] },
    supportTier: { type: String, default: null },
    adminIds: { type: [Schema.Types.ObjectId], default: [] },
    memberIds: { type: [Schema.Types.ObjectId], default: [] },
    /** VENDOR: the spaces of its products (its engineers see their support queue) */
    spaceIds: { type: [Schema.Types.ObjectId], default: [] },
  },
  { timestamps: true, collection: 'organizations' },
);
organizationSchema.index({ slug: 1 }, { unique: true });
organizationSchema.index({ name: 1, _id: 1 });
organizationSchema.index({ spaceIds: 1 });

export interface OrganizationDoc {
  _id: Types.ObjectId;
  slug: string;
  name: string;
  kind: 'VENDOR' | 'CUSTOMER';
  domains: string[];
  supportTier: string | null;
  adminIds: Types.ObjectId[];
  memberIds: Types.ObjectId[];
  spaceIds: Types.ObjectId[];
  createdAt: Date;
  updatedAt: Date;
}
export const OrganizationModel = model('Organization', organizationSchema);

const membershipSchema = new Schema(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    orgId: { type: Schema.Types.ObjectId, default: null },
    orgName: { type: String, default: null },
    orgKind: { type: String, default: null },
    /** how they joined: DOMAIN (their email's domain) or ADMIN; NONE: checked at `joinedAt`, no
     * organisation; REMOVED: removed by an admin (their domain does not bring them back) */
    via: { type: String, enum: ['DOMAIN', 'ADMIN', 'NONE', 'REMOVED'], required: true },
    joinedAt: { type: Date, required: true },
  },
  { collection: 'org_memberships', versionKey: false },
);
membershipSchema.index({ orgId: 1 });

export interface MembershipDoc {
  _id: Types.ObjectId;
  orgId: Types.ObjectId | null;
  orgName: string | null;
  orgKind: 'VENDOR' | 'CUSTOMER' | null;
  via: 'DOMAIN' | 'ADMIN' | 'NONE' | 'REMOVED';
  joinedAt: Date;
}
export const MembershipModel = model('OrgMembership', membershipSchema);

const domainSchema = new Schema(
  { _id: { type: String, required: true }, orgId: { type: Schema.Types.ObjectId, required: true } },
  { collection: 'org_domains', versionKey: false },
);
export interface OrgDomainDoc {
  _id: string;
  orgId: Types.ObjectId;
}
export const OrgDomainModel = model('OrgDomain', domainSchema);
