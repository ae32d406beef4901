// Pure facts about questions shared by the service (validation), the GraphQL enum and the importer.

/** Why a question is closed (Stack Overflow's reasons). */
export const CLOSE_REASONS = ['DUPLICATE', 'OFF_TOPIC', 'NEEDS_DETAILS', 'NEEDS_FOCUS', 'OPINION_BASED', 'RESOLVED', 'OTHER'] as const;
export type CloseReason = (typeof CLOSE_REASONS)[number];
