#compdef esc
# esc.zsh: zsh completion for esc, from 'esc __complete' as in esc.bash.
# Enable it with
#   autoload -U compinit && compinit; source deploy/completion/esc.zsh
# or put it in a directory of $fpath as _esc (cmake --install puts it in
# share/zsh/vendor-completions/_esc).

_esc() {
    local out rc
    out=$("${words[1]/#\~/$HOME}" __complete "${(@)words[2,CURRENT]}" 2>/dev/null)
    rc=$?
    if (( rc == 1 )); then
        _files
        return
    fi
    (( rc == 0 )) && [[ -n $out ]] || return 1
    local -a candidates
    candidates=("${(@f)out}")
    # the candidates hold the whole word: match them against all of it
    compadd -U -- "${candidates[@]}"
}

if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
    _esc "$@"
else
    compdef _esc esc
fi
