/* complete.c: shell completion from the tables of commands.c. See
 * complete.h. */
#include "complete.h"

#include <dirent.h>
#include <string.h>
#include <strings.h>

#include "commands.h"
#include "transport.h"

/* What is being completed: the word, and in a comma list the items before
 * the last one ("Acme,"), kept in front of every candidate. */
typedef struct {
    const char *cur;
    char head[512];
    FILE *out;
} want_t;

/* Prints CANDIDATE when it begins (in any case) with what is typed. */
static void
offer (const want_t *w, const char *candidate)
{
    const char *tail = w->cur + strlen (w->head);
    if (strncasecmp (candidate, tail, strlen (tail)) == 0)
        fprintf (w->out, "%s%s\n", w->head, candidate);
}

static void
offer_id (const want_t *w, int64_t id)
{
    char text[24];
    snprintf (text, sizeof text, "%lld", (long long) id);
    offer (w, text);
}

/* The names of the keys in $ESC_HOME/keys: the identities --as may take. */
static void
offer_keys (const session_t *s, const want_t *w)
{
    char dir[1100];
    snprintf (dir, sizeof dir, "%s/keys", s->config.home);
    DIR *d = opendir (dir);
    for (struct dirent *e; d && (e = readdir (d));) {
        size_t n = strlen (e->d_name);
        char name[256];
        if (n > 4 && n < sizeof name && strcmp (e->d_name + n - 4, ".key") == 0) {
            snprintf (name, sizeof name, "%.*s", (int) (n - 4), e->d_name);
            offer (w, name);
        }
    }
    if (d)
        closedir (d);
}

/* Asks escd, as S's identity and within COMPLETE_TIMEOUT_MS, for the
 * things NAMES stands for, and offers them; offers nothing when there is
 * no identity, no escd or no answer. */
static void
offer_from_escd (session_t *s, arg_names_t names, const want_t *w)
{
    char user[64], err[1500], request_id[33];
    keypair_t kp;
    s->config.timeout_ms = COMPLETE_TIMEOUT_MS;
    s->config.retries = 0;
    if (commands_identity (s, user, sizeof user, &kp, err, sizeof err) != 0)
        return;
    Esc__Request req = ESC__REQUEST__INIT;
    Esc__Empty empty = ESC__EMPTY__INIT;
    Esc__ListFilter filter = ESC__LIST_FILTER__INIT;
    Esc__QuarterRef quarter = ESC__QUARTER_REF__INIT;
    switch (names) {
    case ARG_NAMES_ESCALATION:
        filter.has_limit = true;
        filter.limit = 1000;
        req.op_case = ESC__REQUEST__OP_LIST;
        req.list = &filter;
        break;
    case ARG_NAMES_ACCOUNT:
        req.op_case = ESC__REQUEST__OP_ACCOUNT_LIST;
        req.account_list = &empty;
        break;
    case ARG_NAMES_QUARTER:
        req.op_case = ESC__REQUEST__OP_QUARTER_LIST;
        req.quarter_list = &empty;
        break;
    case ARG_NAMES_ROADMAP:
        req.op_case = ESC__REQUEST__OP_ROADMAP_LIST;
        req.roadmap_list = &quarter;
        break;
    case ARG_NAMES_USER:
        req.op_case = ESC__REQUEST__OP_USER_LIST;
        req.user_list = &empty;
        break;
    default:
        return;
    }
    transport_request_id (request_id);
    req.request_id = request_id;
    esc_error_t e;
    Esc__Reply *reply = session_send (s, &kp, &req, &e);
    if (!reply || e.status != ESC_OK) {
        esc__reply__free_unpacked (reply, NULL);
        return;
    }
    switch (reply->result_case) {
    case ESC__REPLY__RESULT_ESCALATIONS:
        for (size_t i = 0; i < reply->escalations->n_escalations; i++)
            offer_id (w, reply->escalations->escalations[i]->id);
        break;
    case ESC__REPLY__RESULT_ACCOUNTS:
        for (size_t i = 0; i < reply->accounts->n_accounts; i++)
            offer (w, reply->accounts->accounts[i]->name);
        break;
    case ESC__REPLY__RESULT_QUARTERS:
        for (size_t i = 0; i < reply->quarters->n_quarters; i++)
            offer (w, reply->quarters->quarters[i]->name);
        break;
    case ESC__REPLY__RESULT_ROADMAP:
        for (size_t i = 0; i < reply->roadmap->n_items; i++)
            offer_id (w, reply->roadmap->items[i]->id);
        break;
    case ESC__REPLY__RESULT_USERS:
        for (size_t i = 0; i < reply->users->n_users; i++)
            offer (w, reply->users->users[i]->name);
        break;
    default:
        break;
    }
    esc__reply__free_unpacked (reply, NULL);
}

/* What NAMES stands for. */
static int
offer_names (session_t *s, arg_names_t names, const want_t *w)
{
    if (names == ARG_NAMES_FILE)
        return COMPLETE_FILES;
    if (names == ARG_NAMES_KEY)
        offer_keys (s, w);
    else if (names != ARG_NAMES_NONE)
        offer_from_escd (s, names, w);
    return COMPLETE_DONE;
}

/* A value of option O, the word being completed holding it from byte AT
 * on (after "--name=" when it is written so). */
static int
offer_value (session_t *s, const opt_spec_t *o, want_t *w, size_t at)
{
    const char *comma = o->kind == ARG_LIST ? strrchr (w->cur + at, ',') : NULL;
    size_t keep = comma ? (size_t) (comma + 1 - w->cur) : at;
    snprintf (w->head, sizeof w->head, "%.*s", (int) keep, w->cur);
    const char *const *values = args_values (o);
    for (int i = 0; values && values[i]; i++)
        offer (w, values[i]);
    return values ? COMPLETE_DONE : offer_names (s, o->names, w);
}

/* The options not given yet of SPECS (a list may be given again). */
static void
offer_options (const opt_spec_t *specs, const bool *given, const want_t *w)
{
    for (int i = 0; specs && specs[i].name; i++) {
        char option[64];
        snprintf (option, sizeof option, "--%s", specs[i].name);
        if (!given[i] || specs[i].kind == ARG_LIST)
            offer (w, option);
    }
}

/* The command words: the first ones (GROUP NULL) and help, or GROUP's. */
static void
offer_commands (const char *group, bool with_help, const want_t *w)
{
    size_t n, glen = group ? strlen (group) : 0;
    const command_t *all = commands_all (&n);
    for (size_t i = 0; i < n; i++) {
        const char *name = all[i].name;
        if (group && (strncmp (name, group, glen) != 0 || name[glen] != ' '))
            continue;
        const char *word = group ? name + glen + 1 : name;
        size_t len = strcspn (word, " ");
        bool seen = false;      /* quarter open, quarter close: one quarter */
        for (size_t k = 0; k < i && !group; k++)
            seen |= strncmp (all[k].name, word, len) == 0 && strcspn (all[k].name, " ") == len;
        char text[64];
        snprintf (text, sizeof text, "%.*s", (int) len, word);
        if (!seen)
            offer (w, text);
    }
    if (with_help)
        offer (w, "help");
}

int
complete_run (const session_t *session, int argc, char **argv, FILE *out)
{
    session_t s = *session;
    want_t w = { .cur = argc > 0 ? argv[argc - 1] : "", .out = out };
    int words = argc > 0 ? argc - 1 : 0;
    const command_t *cmd = NULL;
    char *named[2];             /* the command's words so far */
    int n_named = 0, operands = 0;
    bool given[ARGS_MAX_OPTIONS] = { false }, global_given[ARGS_MAX_OPTIONS] = { false };
    bool after_dashes = false, help = false;
    const opt_spec_t *pending = NULL;           /* the option the current word is a value of */
    for (int i = 0; i < words && !pending; i++) {
        char *word = argv[i];
        if (!after_dashes && strcmp (word, "--") == 0) {
            after_dashes = true;
            continue;
        }
        if (!after_dashes && strncmp (word, "--", 2) == 0 && word[2]) {
            const char *eq = strchr (word, '=');
            size_t len = eq ? (size_t) (eq - word - 2) : strlen (word) - 2;
            const opt_spec_t *o = cmd ? args_find (cmd->options, word + 2, len) : NULL;
            bool global = !o;
            if (global)
                o = args_find (commands_globals, word + 2, len);
            if (!o)
                continue;
            if (global)
                global_given[o - commands_globals] = true;
            else
                given[o - cmd->options] = true;
            if (o->kind == ARG_FLAG)
                continue;
            const char *value = eq ? eq + 1 : NULL;
            /* bash gives --as=pat as --as, =, pat */
            if (!eq && i + 1 < words && strcmp (argv[i + 1], "=") == 0)
                i++;
            if (!value && i + 1 < words)
                value = argv[++i];
            if (!value) {
                pending = o;
                break;
            }
            char err[256];
            if (global)
                commands_apply_global (&s, o->name, value, err, sizeof err);
            continue;
        }
        if (cmd) {
            operands++;
            continue;
        }
        if (n_named == 0 && !help && strcmp (word, "help") == 0) {
            help = true;
            continue;
        }
        if (n_named == 2)
            return COMPLETE_DONE;               /* no such command: nothing to offer */
        named[n_named++] = word;
        int used;
        cmd = commands_find (n_named, named, &used);
        if (!cmd && !(n_named == 1 && commands_is_group (word)))
            return COMPLETE_DONE;
        if (cmd && help)
            return COMPLETE_DONE;               /* esc help quarter open: complete */
    }
    if (pending && strcmp (w.cur, "=") == 0)
        w.cur = "";
    if (pending)
        return offer_value (&s, pending, &w, 0);
    const char *eq = strchr (w.cur, '=');
    if (!after_dashes && strncmp (w.cur, "--", 2) == 0 && eq) {  /* --name=value, as zsh keeps it */
        size_t len = (size_t) (eq - w.cur - 2);
        const opt_spec_t *o = cmd ? args_find (cmd->options, w.cur + 2, len) : NULL;
        if (!o)
            o = args_find (commands_globals, w.cur + 2, len);
        return o && o->kind != ARG_FLAG ? offer_value (&s, o, &w, (size_t) (eq + 1 - w.cur))
                                        : COMPLETE_DONE;
    }
    if (!after_dashes && w.cur[0] == '-') {
        if (cmd)
            offer_options (cmd->options, given, &w);
        offer_options (commands_globals, global_given, &w);
        return COMPLETE_DONE;
    }
    if (!cmd) {
        offer_commands (n_named ? named[0] : NULL, n_named == 0 && !help, &w);
        return COMPLETE_DONE;
    }
    if (operands >= cmd->max_operands)
        return COMPLETE_DONE;
    return offer_names (&s, commands_operand_names (cmd, operands), &w);
}
