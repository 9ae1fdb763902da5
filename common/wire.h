/* wire.h: constants of the wire protocol that esc and escd share; the
 * messages themselves are in proto/esc.proto. */
#ifndef ESC_WIRE_H
#define ESC_WIRE_H

/* Every Request carries it; escd refuses any other. */
#define ESC_PROTOCOL_VERSION 1

/* The largest request escd reads (its socket's ZMQ_MAXMSGSIZE): a peer
 * that sends more is cut off, so esc refuses to send one. */
#define ESC_MAX_MESSAGE (1024 * 1024)

/* The feed: escd's ROUTER sends [topic][payload] messages to each DEALER
 * that announced itself (ZMQ_PROBE_ROUTER). */
#define ESC_FEED_TOPIC_EVENT "esc.event"            /* payload: Event */
#define ESC_FEED_TOPIC_HEARTBEAT "esc.heartbeat"    /* payload: Heartbeat */
#define ESC_FEED_TOPIC_ERROR "esc.error"            /* payload: Reply; the end */
/* An idle feed sends a heartbeat this often; a subscriber that hears
 * nothing for ESC_FEED_SILENCE_MS takes the feed as cut off. */
#define ESC_FEED_HEARTBEAT_MS 1000
#define ESC_FEED_SILENCE_MS 3500

#endif
