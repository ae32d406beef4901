// Entry of build/front.js (scripts/build-front.js bundles it next to adapter-node's handler.js).
import { startFront } from './front.js';

await startFront(new URL('./', import.meta.url));
