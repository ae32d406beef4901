import { Schema, model, type Types } from 'mongoose';

/**
 * A product space's support settings (`_id`: the space's id): its product versions, in order,
 * and its SLA policy — business calendar and targets per customer support tier.
 */
const targetSchema = new Schema(
  {
    tier: { type: String, required: true },
    firstResponseMinutes: { type: Number, required: true },
    resolutionMinutes: { type: Number, required: true },
  },
  { _id: false },
);
const supportSpaceSchema = new Schema(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    versions: { type: [String], default: [] },
    timeZone: { type: String, default: 'UTC' },
    workingDays: { type: [Number], default: [1, 2, 3, 4, 5] },
    startMinute: { type: Number, default: 540 },
    endMinute: { type: Number, default: 1020 },
    holidays: { type: [String], default: [] },
    /** a question is "breaching" this many minutes before its deadline */
    warnBeforeMinutes: { type: Number, default: 60 },
    targets: { type: [targetSchema], default: [] },
  },
  { timestamps: true, collection: 'support_spaces' },
);

export interface SlaTarget {
  tier: string;
  firstResponseMinutes: number;
  resolutionMinutes: number;
}
export interface SupportSpaceDoc {
  _id: Types.ObjectId;
  versions: string[];
  timeZone: string;
  workingDays: number[];
  startMinute: number;
  endMinute: number;
  holidays: string[];
  warnBeforeMinutes: number;
  targets: SlaTarget[];
}
export const SupportSpaceModel = model('SupportSpace', supportSpaceSchema);

/**
 * A customer question's support record (`_id`: the question's id): its SLA timers, assignee,
 * escalation and re-verification. Written by the `support` activity handler and the support
 * services; the engineer queue is a Redis sorted set of these ids by deadline (support.repository.ts).
 */
const ticketSchema = new Schema(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    spaceId: { type: Schema.Types.ObjectId, required: true },
    vendorOrgId: { type: Schema.Types.ObjectId, required: true },
    askerId: { type: Schema.Types.ObjectId, required: true },
    customerOrgId: { type: Schema.Types.ObjectId, required: true },
    tier: { type: String, required: true },
    askedAt: { type: Date, required: true },
    firstResponseDue: { type: Date, default: null },
    resolutionDue: { type: Date, default: null },
    warnBeforeMinutes: { type: Number, default: 60 },
    firstResponseAt: { type: Date, default: null },
    resolvedAt: { type: Date, default: null },
    status: { type: String, enum: ['OPEN', 'RESOLVED', 'CLOSED'], default: 'OPEN' },
    assigneeId: { type: Schema.Types.ObjectId, default: null },
    caseId: { type: Schema.Types.ObjectId, default: null },
    caseOpen: { type: Boolean, default: false },
    /** a verified answer does not cover the space's newest version */
    reverify: { type: Boolean, default: false },
    reverifySince: { type: Date, default: null },
    verifiedAnswerId: { type: Schema.Types.ObjectId, default: null },
    verifiedVersions: { type: [String], default: [] },
    /** breach notices sent: "first:warn", "first:breach", "resolution:warn", "resolution:breach" */
    notices: { type: [String], default: [] },
  },
  { timestamps: true, collection: 'support_tickets' },
);
ticketSchema.index({ spaceId: 1, verifiedAnswerId: 1 });
ticketSchema.index({ askedAt: 1 });

export interface TicketDoc {
  _id: Types.ObjectId;
  spaceId: Types.ObjectId;
  vendorOrgId: Types.ObjectId;
  askerId: Types.ObjectId;
  customerOrgId: Types.ObjectId;
  tier: string;
  askedAt: Date;
  firstResponseDue: Date | null;
  resolutionDue: Date | null;
  warnBeforeMinutes: number;
  firstResponseAt: Date | null;
  resolvedAt: Date | null;
  status: 'OPEN' | 'RESOLVED' | 'CLOSED';
  assigneeId: Types.ObjectId | null;
  caseId: Types.ObjectId | null;
  caseOpen: boolean;
  reverify: boolean;
  reverifySince: Date | null;
  verifiedAnswerId: Types.ObjectId | null;
  verifiedVersions: string[];
  notices: string[];
  createdAt: Date;
  updatedAt: Date;
}
export const TicketModel = model('SupportTicket', ticketSchema);

/** A support case: a question escalated to the vendor's support (an external ticket). */
const caseSchema = new Schema(
  {
    questionId: { type: Schema.Types.ObjectId, required: true },
    spaceId: { type: Schema.Types.ObjectId, required: true },
    openedById: { type: Schema.Types.ObjectId, required: true },
    reason: { type: String, required: true },
    status: { type: String, enum: ['OPEN', 'IN_PROGRESS', 'RESOLVED'], default: 'OPEN' },
    externalRef: { type: String, default: null },
    resolutionAnswerId: { type: Schema.Types.ObjectId, default: null },
    resolutionUrl: { type: String, default: null },
    resolvedAt: { type: Date, default: null },
  },
  { timestamps: true, collection: 'support_cases' },
);
caseSchema.index({ questionId: 1 });

export interface SupportCaseDoc {
  _id: Types.ObjectId;
  questionId: Types.ObjectId;
  spaceId: Types.ObjectId;
  openedById: Types.ObjectId;
  reason: string;
  status: 'OPEN' | 'IN_PROGRESS' | 'RESOLVED';
  externalRef: string | null;
  resolutionAnswerId: Types.ObjectId | null;
  resolutionUrl: string | null;
  resolvedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}
export const SupportCaseModel = model('SupportCase', caseSchema);

/** The product versions a staff member verified an answer for (`_id`: the answer's id). */
const verificationSchema = new Schema(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    questionId: { type: Schema.Types.ObjectId, required: true },
    spaceId: { type: Schema.Types.ObjectId, required: true },
    versions: { type: [String], default: [] },
    verifiedAt: { type: Date, required: true },
  },
  { collection: 'support_verifications', versionKey: false },
);
export interface VerificationDoc {
  _id: Types.ObjectId;
  questionId: Types.ObjectId;
  spaceId: Types.ObjectId;
  versions: string[];
  verifiedAt: Date;
}
export const VerificationModel = model('SupportVerification', verificationSchema);
