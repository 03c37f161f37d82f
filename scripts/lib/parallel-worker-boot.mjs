// Entry of a training worker thread. Worker threads do not inherit tsx's TypeScript loader
// from the thread that starts them, so register it here, then load the real entry.
import { register } from 'tsx/esm/api';

register();
await import('./parallel-worker.ts');
