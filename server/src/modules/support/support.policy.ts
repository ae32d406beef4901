// Who may work on support (pure): a vendor's engineers work the spaces their organisation lists;
// site admins work every space. Customers never see the queue, policies or cases of others.
import type { Types } from 'mongoose';
import type { Viewer } from '../../context.js';

export interface VendorFacts {
  _id: Types.ObjectId;
  kind: 'VENDOR' | 'CUSTOMER';
  spaceIds: readonly Types.ObjectId[];
}

/** The spaces the viewer works as an engineer ('ALL' for site admins). */
export function engineerSpaces(viewer: Viewer | null, org: VendorFacts | null): 'ALL' | string[] {
  if (viewer?.role === 'ADMIN') return 'ALL';
  if (!viewer || !org || org.kind !== 'VENDOR' || viewer.role === 'MEMBER') return [];
  return org.spaceIds.map((id) => id.toHexString());
}

export function canWorkSpace(viewer: Viewer | null, org: VendorFacts | null, spaceId: Types.ObjectId | string): boolean {
  const spaces = engineerSpaces(viewer, org);
  return spaces === 'ALL' || spaces.includes(String(spaceId));
}

/** The asker of a customer question or an engineer of its space may escalate it. */
export function canEscalate(
  viewer: Viewer | null,
  org: VendorFacts | null,
  ticket: { askerId: Types.ObjectId; spaceId: Types.ObjectId },
): boolean {
  return !!viewer && (ticket.askerId.toHexString() === viewer.id || canWorkSpace(viewer, org, ticket.spaceId));
}

/** A case is seen by the asker and the space's engineers. */
export const canSeeCase = canEscalate;
