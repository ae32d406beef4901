// The sources the /developers pages are generated from, bundled as text by Vite at build time.
import schemaSource from '../../../../schema/schema.graphql?raw';
import activitySource from '../../../../server/src/modules/activity/activity.ts?raw';
import costSource from '../../../../server/src/graphql/cost.ts?raw';

export { activitySource, costSource, schemaSource };
