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

export class MembershipRepository extends Repository<MembershipDoc> {
  constructor(storage: Storage) {
    // the org badge of every author line: absent ones are cached too
    super(storage, MembershipModel, { versionKeys: (id) => [`users:${String(id)}`], cache: { name: 'org_memberships', absent: true } });
  }

  async set(userId: Types.ObjectId, doc: Omit<MembershipDoc, '_id'>): Promise<void> {
    await this.update(userId, { $set: doc }, { upsert: true });
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
