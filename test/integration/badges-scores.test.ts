// Badges awarded for posts' scores (Student … Great Answer, Enlightened, Guru, Necromancer …): badges.suite.ts.
import { badgeSuite } from './badges.suite.js';

badgeSuite('scores');
