/* http.c: one path over HTTP/1.x on a ZeroMQ STREAM socket. See http.h.
 *
 * libzmq's STREAM socket (4.3): each message is two frames, the peer's
 * routing id and bytes. A zero-length second frame is news, not bytes: the
 * first from a routing id is its connection, a later one its going
 * (ZMQ_STREAM_NOTIFY, on by default). To answer, escd sends the routing id
 * and the bytes; to close a connection, the routing id and a zero-length
 * frame. libzmq drops whatever of that connection it still holds when it
 * closes it, so escd does not close a connection it has just answered:
 * it says Connection: close, and its peer closes (escd does after a grace
 * when the peer does not). A routing id whose queue is full (its peer
 * does not read) takes nothing, not even the close: escd tries again at
 * each tick. */
#include "http.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zmq.h>

#include "logline.h"
#include "proc.h"

#define HTTP_ID_MAX 16              /* libzmq's are 5 bytes */
#define HTTP_READS_PER_CALL 256     /* messages read by one http_handle */
#define HTTP_ANSWERS_PER_TURN 4     /* pipelined requests answered in a row */
#define HTTP_CLOSE_GRACE_MS 2000.0  /* for a peer told Connection: close */
#define HTTP_TICK_MS 250.0

/* ==== The request, without I/O =========================================== */

/* tchar of RFC 9110: the characters of a method or a header's name. */
static bool
token_char (unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || (c && strchr ("!#$%&'*+-.^_`|~", c));
}

static size_t
token_len (const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && token_char ((unsigned char) s[i]))
        i++;
    return i;
}

/* Whether the header value V (N bytes) holds the token WORD in its comma
 * separated list, in any case. */
static bool
list_has (const char *v, size_t n, const char *word)
{
    size_t w = strlen (word);
    for (size_t i = 0; i < n;) {
        while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
            i++;
        size_t k = i;
        while (k < n && v[k] != ',')
            k++;
        size_t end = k;
        while (end > i && (v[end - 1] == ' ' || v[end - 1] == '\t'))
            end--;
        if (end - i == w && strncasecmp (v + i, word, w) == 0)
            return true;
        i = k;
    }
    return false;
}

/* The path of TARGET (N bytes, origin-form "/p?q" or absolute-form
 * "http://host/p?q") against PATH. */
static bool
target_is (const char *t, size_t n, const char *path)
{
    if (n > 7 && strncasecmp (t, "http://", 7) == 0) {
        size_t slash = 7;
        while (slash < n && t[slash] != '/')
            slash++;
        t += slash;
        n -= slash;
        if (!n) {               /* "http://host" is the root */
            t = "/";
            n = 1;
        }
    }
    size_t p = 0;
    while (p < n && t[p] != '?')
        p++;
    return p == strlen (path) && memcmp (t, path, p) == 0;
}

/* The end of the line starting at S (at most N bytes): the index of its
 * '\n', or N when there is none. */
static size_t
line_end (const char *s, size_t n)
{
    const char *nl = memchr (s, '\n', n);
    return nl ? (size_t) (nl - s) : n;
}

size_t
http_parse (const char *buf, size_t len, const char *path, http_request_t *out)
{
    size_t at = 0;
    /* a server ignores empty lines before a request (RFC 9112 2.2) */
    while (at < len && (buf[at] == '\r' || buf[at] == '\n'))
        at++;
    /* the head ends at an empty line; LF alone is read as CRLF */
    size_t end = 0;
    for (size_t i = at; i < len && !end; i++)
        if (buf[i] == '\n' && i + 1 < len
            && (buf[i + 1] == '\n' || (buf[i + 1] == '\r' && i + 2 < len && buf[i + 2] == '\n')))
            end = i + (buf[i + 1] == '\n' ? 2 : 3);
    if (!end)
        return 0;
    *out = (http_request_t) { .status = 400 };

    /* the request line: METHOD SP TARGET SP HTTP/1.x */
    const char *s = buf + at;
    size_t n = line_end (s, end - at);
    size_t line = n && s[n - 1] == '\r' ? n - 1 : n;
    size_t m = token_len (s, line);
    if (m == 0 || m >= line || s[m] != ' ')
        return end;
    size_t t0 = m + 1, t = t0;
    while (t < line && s[t] > ' ' && s[t] < 0x7f)
        t++;
    if (t == t0 || t >= line || s[t] != ' ')
        return end;
    const char *version = s + t + 1;
    size_t vlen = line - t - 1;
    bool well_formed = vlen == 8 && memcmp (version, "HTTP/", 5) == 0
        && version[5] >= '0' && version[5] <= '9' && version[6] == '.'
        && version[7] >= '0' && version[7] <= '9';
    if (!well_formed)
        return end;
    if (memcmp (version + 5, "1.0", 3) != 0 && memcmp (version + 5, "1.1", 3) != 0) {
        out->status = 505;
        return end;
    }
    bool http11 = version[7] == '1';

    /* the header fields */
    int hosts = 0;
    bool close = false, keep = false, body = false;
    for (size_t h = at + n + 1; h < end;) {
        const char *f = buf + h;
        size_t fn = line_end (f, end - h), fl = fn && f[fn - 1] == '\r' ? fn - 1 : fn;
        h += fn + 1;
        if (fl == 0)
            break;              /* the empty line */
        size_t name = token_len (f, fl);
        if (name == 0 || name >= fl || f[name] != ':')
            return end;         /* no name, a space before the colon, a fold */
        const char *v = f + name + 1;
        size_t vl = fl - name - 1;
        for (size_t i = 0; i < vl; i++)
            if (((unsigned char) v[i] < ' ' && v[i] != '\t') || v[i] == 0x7f)
                return end;
        while (vl && (*v == ' ' || *v == '\t'))
            v++, vl--;
        while (vl && (v[vl - 1] == ' ' || v[vl - 1] == '\t'))
            vl--;
        if (name == 4 && strncasecmp (f, "host", 4) == 0)
            hosts++;
        else if (name == 10 && strncasecmp (f, "connection", 10) == 0) {
            close = close || list_has (v, vl, "close");
            keep = keep || list_has (v, vl, "keep-alive");
        }
        else if (name == 14 && strncasecmp (f, "content-length", 14) == 0) {
            if (vl == 0 || vl > 18)
                return end;
            for (size_t i = 0; i < vl; i++)
                if (v[i] < '0' || v[i] > '9')
                    return end;
            body = body || strtoll (v, NULL, 10) > 0;
        }
        else if (name == 17 && strncasecmp (f, "transfer-encoding", 17) == 0)
            body = true;
    }
    /* HTTP/1.1 names its host once (RFC 9112 3.2) */
    if (hosts > 1 || (http11 && hosts != 1))
        return end;

    bool get = m == 3 && memcmp (s, "GET", 3) == 0, head = m == 4 && memcmp (s, "HEAD", 4) == 0;
    if (!target_is (s + t0, t - t0, path))
        out->status = 404;
    else if (!get && !head)
        out->status = 405;
    else
        out->status = body ? 400 : 200;     /* escd reads no body */
    out->head = head;
    out->keep_alive = !body && (http11 ? !close : keep && !close)
                   && (out->status == 200 || out->status == 404 || out->status == 405);
    return end;
}

/* ==== Connections ======================================================== */

typedef struct {
    bool used;
    uint8_t id[HTTP_ID_MAX];
    size_t id_len;
    char head[HTTP_HEAD_MAX];   /* what came of the requests not answered yet */
    size_t len;
    double since;               /* ms: the wait for a request began (its first
                                   byte, or the connection) */
    double last;                /* ms: the last byte either way */
    bool awaited;               /* a request is awaited since SINCE: the
                                   connection is new, or one came in part */
    bool closing;               /* answered and not kept alive: its peer closes */
    bool doomed;                /* libzmq did not take its close yet */
    bool waiting;               /* a request waits for its peer to read */
} conn_t;

struct http {
    void *socket;
    char *path, *content_type;
    http_body_t body_fn;
    void *body_arg;
    conn_t *conns;              /* HTTP_CONNECTIONS_MAX of them */
    char *body;                 /* made once per call, for every answer in it */
    size_t body_len;
    bool have_body;
    double tick_at;
};

static conn_t *
find (http_t *self, const void *id, size_t len)
{
    for (size_t i = 0; i < HTTP_CONNECTIONS_MAX; i++) {
        conn_t *c = &self->conns[i];
        if (c->used && c->id_len == len && memcmp (c->id, id, len) == 0)
            return c;
    }
    return NULL;
}

static void
forget (conn_t *c)
{
    c->used = false;
}

/* Asks libzmq to close C. False when it could not take the request yet
 * (C is then doomed, and tried again at each tick). */
static bool
close_conn (http_t *self, conn_t *c)
{
    if (zmq_send (self->socket, c->id, c->id_len, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0) {
        if (errno == EAGAIN) {
            c->doomed = true;
            return false;
        }
        forget (c);             /* EHOSTUNREACH: gone already */
        return true;
    }
    zmq_send (self->socket, "", 0, ZMQ_DONTWAIT);
    forget (c);
    return true;
}

static const char *
reason_phrase (int status)
{
    switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 431: return "Request Header Fields Too Large";
    case 505: return "HTTP Version Not Supported";
    default: return "Error";
    }
}

/* Sends C the answer STATUS (the body too unless HEAD_ONLY), saying
 * whether the connection stays open (KEEP). False when C's peer is not
 * reading and the answer could not be queued; true when it went, or C
 * has gone. */
static bool
answer (http_t *self, conn_t *c, int status, bool head_only, bool keep)
{
    char err[160];
    const char *body = err, *type = "text/plain; charset=utf-8";
    size_t body_len;
    if (status == 200) {
        if (!self->have_body) {
            self->body_fn (self->body_arg, &self->body, &self->body_len);
            self->have_body = true;
        }
        body = self->body ? self->body : "";
        body_len = self->body ? self->body_len : 0;
        type = self->content_type;
    }
    else
        body_len = (size_t) snprintf (err, sizeof err, "%d %s%s%s\n", status,
                                      reason_phrase (status), status == 404 ? ": escd serves " : "",
                                      status == 404 ? self->path : "");
    char head[512];
    int n = snprintf (head, sizeof head,
                      "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%s"
                      "Connection: %s\r\n\r\n", status, reason_phrase (status), type, body_len,
                      status == 405 ? "Allow: GET, HEAD\r\n" : "", keep ? "keep-alive" : "close");
    size_t total = (size_t) n + (head_only ? 0 : body_len);
    zmq_msg_t msg;
    if (zmq_send (self->socket, c->id, c->id_len, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0) {
        if (errno == EAGAIN)
            return false;
        forget (c);
        return true;
    }
    /* after the routing id, the bytes are taken whole */
    zmq_msg_init_size (&msg, total);
    memcpy (zmq_msg_data (&msg), head, (size_t) n);
    if (!head_only)
        memcpy ((char *) zmq_msg_data (&msg) + n, body, body_len);
    if (zmq_msg_send (&msg, self->socket, ZMQ_DONTWAIT) < 0)
        zmq_msg_close (&msg);
    c->last = proc_now_ms ();
    return true;
}

/* Answers the requests C holds whole, a few in a row; stops when its peer
 * does not take more (C waits), or at one not kept alive. */
static void
serve (http_t *self, conn_t *c)
{
    c->waiting = false;
    for (int i = 0; i < HTTP_ANSWERS_PER_TURN && c->used && !c->closing; i++) {
        http_request_t r;
        size_t used = http_parse (c->head, c->len, self->path, &r);
        if (!used) {
            if (c->len < HTTP_HEAD_MAX)
                return;         /* the rest is on its way */
            r = (http_request_t) { .status = 431 };
        }
        if (!answer (self, c, r.status, r.head, r.keep_alive)) {
            c->waiting = true;
            return;
        }
        if (!c->used)
            return;
        if (!r.keep_alive) {
            c->closing = true;
            c->len = 0;
            return;
        }
        memmove (c->head, c->head + used, c->len - used);
        c->len -= used;
        c->awaited = c->len > 0;
        c->since = c->last;
    }
    if (c->used && !c->closing && c->len && http_parse (c->head, c->len, self->path,
                                                        &(http_request_t) { 0 }))
        c->waiting = true;      /* more pipelined: at the next tick */
}

/* A new connection: kept, in room made by closing the one idle longest
 * when the table is full; closed at once when no room can be made. */
static void
accept_conn (http_t *self, const void *id, size_t len)
{
    conn_t *room = NULL;
    while (!room && len <= HTTP_ID_MAX) {
        conn_t *oldest = NULL;
        for (size_t i = 0; i < HTTP_CONNECTIONS_MAX && !room; i++) {
            conn_t *c = &self->conns[i];
            if (!c->used)
                room = c;
            else if (!c->doomed && (!oldest || c->last < oldest->last))
                oldest = c;
        }
        if (room || !oldest)
            break;
        close_conn (self, oldest);  /* doomed when it cannot be closed yet */
    }
    if (!room) {
        if (zmq_send (self->socket, id, len, ZMQ_SNDMORE | ZMQ_DONTWAIT) >= 0)
            zmq_send (self->socket, "", 0, ZMQ_DONTWAIT);
        return;
    }
    double now = proc_now_ms ();
    memset (room, 0, sizeof *room);
    room->used = true;
    memcpy (room->id, id, len);
    room->id_len = len;
    room->since = room->last = now;
    room->awaited = true;
}

/* Bytes from C's peer. */
static void
take (http_t *self, conn_t *c, const char *data, size_t len)
{
    if (c->closing || c->doomed)
        return;                 /* said all it will be answered: its grace
                                   runs from the answer, whatever it sends */
    double now = proc_now_ms ();
    c->last = now;
    while (len && c->used && !c->closing && !c->doomed) {
        size_t room = HTTP_HEAD_MAX - c->len, k = len < room ? len : room;
        if (c->waiting && k < len) {
            close_conn (self, c);   /* sends on and on, reads nothing */
            return;
        }
        if (!c->len && !c->awaited)
            c->since = now;
        c->awaited = true;
        memcpy (c->head + c->len, data, k);
        c->len += k;
        data += k;
        len -= k;
        if (!c->waiting)
            serve (self, c);
    }
}

/* ==== The server ========================================================= */

http_t *
http_new (void *ctx, const char *endpoint, const char *path, const char *content_type,
          http_body_t body, void *arg)
{
    http_t *self = calloc (1, sizeof *self);
    if (!self)
        abort ();
    self->conns = calloc (HTTP_CONNECTIONS_MAX, sizeof *self->conns);
    self->path = strdup (path);
    self->content_type = strdup (content_type);
    if (!self->conns || !self->path || !self->content_type)
        abort ();
    self->body_fn = body;
    self->body_arg = arg;
    self->socket = zmq_socket (ctx, ZMQ_STREAM);
    /* a peer's queue either way holds a few messages: bytes come in
     * chunks of at most 8 KiB, and answers wait two at most */
    int linger = 0, rcvhwm = 4, sndhwm = 2;
    if (!self->socket
        || zmq_setsockopt (self->socket, ZMQ_LINGER, &linger, sizeof linger)
        || zmq_setsockopt (self->socket, ZMQ_RCVHWM, &rcvhwm, sizeof rcvhwm)
        || zmq_setsockopt (self->socket, ZMQ_SNDHWM, &sndhwm, sizeof sndhwm)
        || zmq_bind (self->socket, endpoint)) {
        logline (LOGLINE_ERROR, "cannot serve metrics on %s: %s", endpoint,
                 zmq_strerror (errno));
        http_destroy (&self);
        return NULL;
    }
    return self;
}

void
http_destroy (http_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    http_t *self = *self_p;
    if (self->socket)
        zmq_close (self->socket);
    free (self->conns);
    free (self->path);
    free (self->content_type);
    free (self->body);
    free (self);
    *self_p = NULL;
}

void *
http_socket (http_t *self)
{
    return self->socket;
}

size_t
http_connections (const http_t *self)
{
    size_t n = 0;
    for (size_t i = 0; i < HTTP_CONNECTIONS_MAX; i++)
        n += self->conns[i].used;
    return n;
}

/* The body made for this call's answers goes: the next call makes it anew. */
static void
drop_body (http_t *self)
{
    free (self->body);
    self->body = NULL;
    self->body_len = 0;
    self->have_body = false;
}

void
http_handle (http_t *self)
{
    for (int i = 0; i < HTTP_READS_PER_CALL; i++) {
        zmq_msg_t id, data;
        zmq_msg_init (&id);
        if (zmq_msg_recv (&id, self->socket, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close (&id);
            break;
        }
        zmq_msg_init (&data);
        if (zmq_msg_more (&id) && zmq_msg_recv (&data, self->socket, 0) >= 0) {
            conn_t *c = find (self, zmq_msg_data (&id), zmq_msg_size (&id));
            if (zmq_msg_size (&data) == 0) {
                if (c)
                    forget (c);     /* its peer closed it */
                else
                    accept_conn (self, zmq_msg_data (&id), zmq_msg_size (&id));
            }
            else if (c)
                take (self, c, zmq_msg_data (&data), zmq_msg_size (&data));
            /* bytes of a connection escd no longer keeps are dropped */
        }
        zmq_msg_close (&data);
        zmq_msg_close (&id);
    }
    drop_body (self);
}

void
http_tick (http_t *self)
{
    double now = proc_now_ms ();
    if (now < self->tick_at)
        return;
    self->tick_at = now + HTTP_TICK_MS;
    for (size_t i = 0; i < HTTP_CONNECTIONS_MAX; i++) {
        conn_t *c = &self->conns[i];
        if (!c->used)
            continue;
        if (c->doomed || (c->closing && now - c->last > HTTP_CLOSE_GRACE_MS))
            close_conn (self, c);
        else if (c->closing)
            continue;
        else if (c->awaited && now - c->since > HTTP_REQUEST_TIMEOUT_MS) {
            /* a request that never came whole: 408, unless nothing came */
            if (c->len && answer (self, c, 408, false, false) && c->used) {
                c->closing = true;
                c->len = 0;
            }
            else
                close_conn (self, c);
        }
        else if (c->waiting)
            serve (self, c);
        else if (!c->awaited && now - c->last > HTTP_IDLE_TIMEOUT_MS)
            close_conn (self, c);
    }
    drop_body (self);
}
