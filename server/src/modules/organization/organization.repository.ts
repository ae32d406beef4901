// The organisations, their members' memberships and their email domains: the only code that
// touches those collections.
import type { Types } from 'mongoose';
import { keyset, type PageWindow } from '../../lib/connection.js';
import { Repository } from '../../infra/repository.js';
import type { Storage } from '../../infra/storage.js';
import {
  MembershipModel,
  OrganizationModel,
  OrgDomainModel,
  type MembershipDoc,
  type OrganizationDoc,
  type OrgDomainDoc,
} from './organization.model.js';

export class OrganizationRepository extends Repository<OrganizationDoc> {
  readonly memberships: MembershipRepository;
  readonly domains: OrgDomainRepository;

  constructor(storage: Storage) {
    super(storage, OrganizationModel, { versionKeys: (id) => [`organizations:${String(id)}`, 'list:organizations'] });
    this.memberships = new MembershipRepository(storage);
    this.domains = new OrgDomainRepository(storage);
  }

  async create(doc: Omit<OrganizationDoc, '_id' | 'createdAt' | 'updatedAt'>): Promise<OrganizationDoc> {
    const org = await OrganizationModel.create(doc);
    await this.touched(org._id);
    return org.toObject() as OrganizationDoc;
  }

  async findBySlug(slug: string): Promise<OrganizationDoc | null> {
    return (await OrganizationModel.findOne({ slug: slug.toLowerCase() }).lean()) as OrganizationDoc | null;
  }

  /** The vendor whose products a space is about (workers: index on spaceIds). */
  async findVendorOfSpace(spaceId: Types.ObjectId): Promise<OrganizationDoc | null> {
    return (await OrganizationModel.findOne({ kind: 'VENDOR', spaceIds: spaceId }).lean()) as OrganizationDoc | null;
  }

  /** Organisations by name (keyset page, limit + 1 rows). */
  async listByName(window: PageWindow): Promise<OrganizationDoc[]> {
    const page = keyset('name', 1, window);
    return (await OrganizationModel.find(page.filter)
      .sort(page.sort)
      .limit(window.limit + 1)
      .lean()) as OrganizationDoc[];
  }
}

const membershipKey = (id: unknown) => `org_memberships:${String(id)}`;

export class MembershipRepository extends Repository<MembershipDoc> {
  constructor(storage: Storage) {
    // the org badge of every author line: absent ones are cached too. Entries follow the
    // membership's own version; a membership written also bumps its member's (the chips and pages
    // that show the badge)
    super(storage, MembershipModel, {
      versionKeys: (id) => [membershipKey(id), `users:${String(id)}`],
      cache: { name: 'org_memberships', absent: true },
    });
  }

  async set(userId: Types.ObjectId, doc: Omit<MembershipDoc, '_id'>): Promise<void> {
    await this.update(userId, { $set: doc }, { upsert: true });
  }

  /**
   * Remembers that a member has none (until `joinedAt` + the recheck delay). Only written where
   * none was stored or it said none already: no badge changes, so only the membership's own
   * version moves — the member's chips and the pages that show them stay cached.
   */
  async rememberNone(userId: Types.ObjectId, joinedAt: Date): Promise<void> {
    const doc = { orgId: null, orgName: null, orgKind: null, via: 'NONE' as const, joinedAt };
    await this.storage.updateById(this.model, userId, { $set: doc }, { upsert: true });
    await this.storage.changed([membershipKey(userId)]);
  }
}

export class OrgDomainRepository extends Repository<OrgDomainDoc> {
  constructor(storage: Storage) {
    super(storage, OrgDomainModel);
  }

  async set(domain: string, orgId: Types.ObjectId): Promise<void> {
    await this.update(domain, { $set: { orgId } }, { upsert: true });
  }
}
