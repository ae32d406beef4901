// Badges awarded by activity (votes cast, edits, comments, accepts, deletes, flags, profile) and by
// the periodic job, the catalogue, tag badges, holders and the read models' rebuild: badges.suite.ts.
import { badgeSuite } from './badges.suite.js';

badgeSuite('activity');
