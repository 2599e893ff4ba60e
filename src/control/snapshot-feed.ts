// The routing snapshots this control plane publishes, offered to standalone gateways (docs/gateway.md):
// the newest one, and a subscription for the ones after it. Only the newest matters to a gateway, so a
// slow subscriber is sent the newest it has not seen, never a backlog.
import type { RoutingSnapshot } from '../gateway/snapshot.js';

export interface FeedSubscriber {
  /** A snapshot newer than any offered before. */
  snapshot(s: RoutingSnapshot): void;
  /** The control plane is stopping: end the stream (the gateway reconnects elsewhere). */
  close(): void;
}

export class SnapshotFeed {
  private latest: RoutingSnapshot | null = null;
  private readonly subscribers = new Set<FeedSubscriber>();
  private closed = false;

  /** Offers a published snapshot; older or equal versions than the newest are ignored. */
  offer(s: RoutingSnapshot): void {
    if (this.closed || (this.latest !== null && s.version <= this.latest.version)) return;
    this.latest = s;
    for (const sub of this.subscribers) sub.snapshot(s);
  }

  current(): RoutingSnapshot | null {
    return this.latest;
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  /** Answers the unsubscribe function; after close(), the subscriber is closed at once. */
  subscribe(sub: FeedSubscriber): () => void {
    if (this.closed) {
      sub.close();
      return () => {};
    }
    this.subscribers.add(sub);
    return () => { this.subscribers.delete(sub); };
  }

  /** Ends every stream (the control plane is stopping) and takes no new ones. */
  close(): void {
    this.closed = true;
    for (const sub of this.subscribers) sub.close();
    this.subscribers.clear();
  }
}
