# esc.bash: bash completion for esc. Commands, a group's commands, options,
# the values of an enumerated option, and the escalation ids, roadmap
# items, quarters, accounts and users escd knows: 'esc __complete' works
# them out from esc's own tables and asks escd, giving up after half a
# second. Enable it with
#   source deploy/completion/esc.bash
# or let bash-completion load it: cmake --install puts it in
# share/bash-completion/completions/esc.

_esc() {
    local esc=${COMP_WORDS[0]/#\~/$HOME} out rc line
    COMPREPLY=()
    out=$("$esc" __complete "${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null)
    rc=$?
    if [ "$rc" -eq 1 ]; then
        # a file name: bash's own completion
        compopt -o default 2>/dev/null
        return 0
    fi
    [ "$rc" -eq 0 ] || return 0
    while IFS= read -r line; do
        [ -n "$line" ] || continue
        # an account name with a space or a quote goes in quoted
        case $line in
            *[!A-Za-z0-9._,:=@%+/-]*) printf -v line '%q' "$line" ;;
        esac
        COMPREPLY+=("$line")
    done <<<"$out"
    return 0
}
complete -F _esc esc
