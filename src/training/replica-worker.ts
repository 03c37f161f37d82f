/**
 * A replica worker for data-parallel training in the browser: started by the training
 * worker (worker.ts) when the dashboard trains with 2 workers. It computes the gradient
 * sums of its shard of every mini-batch; the training worker adds them up and updates.
 */
import { serveReplicaOn } from '../parallel/worker-host';

serveReplicaOn(self as unknown as Parameters<typeof serveReplicaOn>[0]);
