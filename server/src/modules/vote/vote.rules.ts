// Pure vote facts shared by the vote service and the viewer-vote loader.
export type VoteDirection = 'UP' | 'DOWN' | 'NONE';
export const VOTE_VALUE: Record<VoteDirection, -1 | 0 | 1> = { UP: 1, DOWN: -1, NONE: 0 };

/** A vote's `_id`: one vote per member and post. */
export const voteKey = (userId: string, postId: string) => `${userId}:${postId}`;
