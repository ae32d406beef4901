import { Schema, model, type InferSchemaType, type Types } from 'mongoose';
import { attributionSchema } from '../post/attribution.js';

/**
 * A badge awarded to a member. Imported Stack Exchange badges keep their original name and tier;
 * `key` is the catalogue key when the name is one of BADGE_CATALOGUE (Stack Overflow's standard
 * badges, which Colloquy's rules follow), else null ("kept as imported"). Tag badges
 * (`tagBased`) are named after their tag.
 */
const badgeSchema = new Schema(
  {
    userId: { type: Schema.Types.ObjectId, required: true },
    name: { type: String, required: true },
    /** catalogue key (e.g. "nice-answer"), null when the badge is not in the catalogue */
    key: { type: String, default: null },
    tier: { type: String, enum: ['GOLD', 'SILVER', 'BRONZE'], required: true },
    tagBased: { type: Boolean, default: false },
    awardedAt: { type: Date, required: true },
    imported: { type: Boolean, default: false },
    attribution: { type: attributionSchema, default: null },
  },
  { timestamps: true, collection: 'badges' },
);
badgeSchema.index({ userId: 1, awardedAt: -1 });
badgeSchema.index({ key: 1, awardedAt: -1 });

/** Badge names Colloquy knows (Stack Overflow's standard, non-tag badges) → catalogue key. */
export const BADGE_CATALOGUE: ReadonlyMap<string, string> = new Map(
  [
    'Altruist',
    'Analytical',
    'Announcer',
    'Archaeologist',
    'Autobiographer',
    'Benefactor',
    'Booster',
    'Caucus',
    'Citizen Patrol',
    'Civic Duty',
    'Cleanup',
    'Commentator',
    'Constituent',
    'Copy Editor',
    'Critic',
    'Curious',
    'Custodian',
    'Deputy',
    'Disciplined',
    'Editor',
    'Electorate',
    'Enlightened',
    'Enthusiast',
    'Epic',
    'Excavator',
    'Explainer',
    'Famous Question',
    'Fanatic',
    'Favorite Question',
    'Generalist',
    'Good Answer',
    'Good Question',
    'Great Answer',
    'Great Question',
    'Guru',
    'Illuminator',
    'Informed',
    'Inquisitive',
    'Investor',
    'Legendary',
    'Marshal',
    'Mortarboard',
    'Necromancer',
    'Nice Answer',
    'Nice Question',
    'Notable Question',
    'Organizer',
    'Outspoken',
    'Peer Pressure',
    'Popular Question',
    'Populist',
    'Precognitive',
    'Promoter',
    'Proofreader',
    'Pundit',
    'Quorum',
    'Refiner',
    'Reversal',
    'Revival',
    'Scholar',
    'Self-Learner',
    'Socratic',
    'Sportsmanship',
    'Steward',
    'Strunk & White',
    'Student',
    'Suffrage',
    'Supporter',
    'Sheriff',
    'Synonymizer',
    'Talkative',
    'Taxonomist',
    'Teacher',
    'Tenacious',
    'Tag Editor',
    'Tumbleweed',
    'Unsung Hero',
    'Vox Populi',
    'Yearling',
  ].map((name) => [
    name,
    name
      .toLowerCase()
      .replace(/&/g, 'and')
      .replace(/[^a-z0-9]+/g, '-'),
  ]),
);

export type BadgeDoc = InferSchemaType<typeof badgeSchema> & { _id: Types.ObjectId; createdAt: Date; updatedAt: Date };
export const BadgeModel = model('Badge', badgeSchema);
