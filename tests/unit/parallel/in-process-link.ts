/**
 * A replica on the same thread, behind the real message protocol: every message goes
 * through structuredClone with its transfer list (so a buffer used after it moved is
 * caught, as a real worker would) and is delivered on a later turn of the event loop.
 */
import { MessageReplicaLink } from '../../../src/parallel/message-link';
import type { ReplicaReply, ReplicaRequest } from '../../../src/parallel/protocol';
import { serveReplica } from '../../../src/parallel/replica';

export function inProcessLink(name = 'in-process replica'): MessageReplicaLink {
  const handle = serveReplica(
    {
      postMessage: (reply: ReplicaReply, transfer: ArrayBuffer[]) => {
        const copy = structuredClone(reply, { transfer });
        setImmediate(() => link.receive(copy));
      },
    },
    () => {},
  );
  const link: MessageReplicaLink = new MessageReplicaLink(
    {
      postMessage: (request: ReplicaRequest, transfer: ArrayBuffer[]) => {
        const copy = structuredClone(request, { transfer });
        setImmediate(() => handle(copy));
      },
    },
    name,
  );
  return link;
}
