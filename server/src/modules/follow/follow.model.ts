import { Schema, model, type InferSchemaType } from 'mongoose';

/** What can be followed: `question:<id>`, `tag:<name>`, `space:<id>`, `member:<id>`. */
export const FOLLOW_KINDS = ['question', 'tag', 'space', 'member'] as const;
export type FollowKind = (typeof FOLLOW_KINDS)[number];

/** The followers of one subject (`_id` = its key, e.g. `question:<id>`): read by id. */
const followersSchema = new Schema(
  {
    _id: { type: String, required: true },
    memberIds: { type: [String], default: [] },
  },
  { timestamps: true, collection: 'followers' },
);
export type FollowersDoc = InferSchemaType<typeof followersSchema> & { _id: string };
export const FollowersModel = model('Followers', followersSchema);

/** What one member follows and ignores (`_id` = the member id): read by id. */
const memberFollowsSchema = new Schema(
  {
    _id: { type: String, required: true },
    /** subject keys, newest last */
    subjects: { type: [String], default: [] },
    ignoredTags: { type: [String], default: [] },
  },
  { timestamps: true, collection: 'member_follows' },
);
export type MemberFollowsDoc = InferSchemaType<typeof memberFollowsSchema> & { _id: string };
export const MemberFollowsModel = model('MemberFollows', memberFollowsSchema);
