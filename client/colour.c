/* colour.c: when esc colours its output (colour.h). */
#include "colour.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

bool
colour_wanted (FILE *out)
{
    const char *no = getenv ("NO_COLOR"), *term = getenv ("TERM");
    if (no && *no)
        return false;
    if (term && strcmp (term, "dumb") == 0)
        return false;
    return isatty (fileno (out)) == 1;
}

const char *
paint (bool on, const char *code)
{
    return on ? code : "";
}
