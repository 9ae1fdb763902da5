/* http.h: the least HTTP/1.x server that serves one path, for Prometheus.
 *
 * It is a ZeroMQ STREAM socket that escd's loop polls beside its others:
 * each TCP connection arrives as a routing id and raw bytes, and a reply
 * is the routing id and raw bytes. So there is no thread: the body is made
 * on the loop, from counters only the loop touches, and nothing is locked
 * (an HTTP library such as libmicrohttpd answers on threads of its own,
 * and every counter would need a lock, or a copy handed over under one).
 *
 * GET and HEAD of the path (a query string is ignored) are answered 200;
 * any other path 404, any other method 405, anything that is not HTTP/1.0
 * or 1.1 400 or 505; keep-alive as each version has it, and Connection:
 * close as asked. What a connection may cost escd is bounded: a request's
 * head is at most HTTP_HEAD_MAX bytes (beyond: 431), it must come whole
 * within HTTP_REQUEST_TIMEOUT_MS of its first byte or of the connection
 * (beyond: 408), an idle connection is closed after HTTP_IDLE_TIMEOUT_MS,
 * a request with a body is refused and its connection closed, at most
 * HTTP_CONNECTIONS_MAX connections are kept (a new one closes the one
 * idle longest), and a peer that does not read its answers holds at most
 * two of them before it stops being answered and is closed. */
#ifndef ESC_HTTP_H
#define ESC_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#define HTTP_HEAD_MAX 4096
#define HTTP_REQUEST_TIMEOUT_MS 10000.0
#define HTTP_IDLE_TIMEOUT_MS 120000.0
#define HTTP_CONNECTIONS_MAX 64

typedef struct http http_t;

/* The body of a GET of the path: appended to *BODY (malloc'd, grown by
 * the callee), its length into *LEN. */
typedef void (*http_body_t) (void *arg, char **body, size_t *len);

/* A server bound at ENDPOINT (tcp://ADDRESS:PORT) in CTX, answering GET
 * PATH with BODY's text as CONTENT_TYPE. NULL (with the reason logged)
 * when it cannot bind. */
http_t *http_new (void *ctx, const char *endpoint, const char *path, const char *content_type,
                  http_body_t body, void *arg);
void http_destroy (http_t **self_p);

/* The socket to poll. */
void *http_socket (http_t *self);
/* Reads what peers sent (a bounded number of messages a call) and answers
 * every request that came whole. Never blocks. */
void http_handle (http_t *self);
/* Closes connections past their time, and answers requests that waited
 * for their peer to read. Call it every pass of the loop; it looks four
 * times a second. */
void http_tick (http_t *self);
/* Connections kept now. */
size_t http_connections (const http_t *self);

/* ==== The request, without I/O =========================================== */

/* What http_parse made of a request's head. */
typedef struct {
    int status;                 /* the answer: 200, or 400, 404, 405, 505 */
    bool head;                  /* HEAD: the answer without its body */
    bool keep_alive;            /* the connection stays open after the answer */
} http_request_t;

/* Parses the request at the start of BUF (LEN bytes) against PATH.
 * Returns 0 when its head has not come whole yet, else the bytes it took
 * (its head, up to and with the empty line) with OUT filled. A request
 * that announces a body is answered 400 and not kept alive (nor is any
 * other error but 404). */
size_t http_parse (const char *buf, size_t len, const char *path, http_request_t *out);

#endif
