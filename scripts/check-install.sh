#!/bin/sh
# Part of `make test`: `make install` into a fresh prefix puts the binary, the man page, the three
# completion scripts and the default mappings where each belongs, the installed binary runs, and
# `make uninstall` takes every one of them away again, leaving the prefix as it found it.
set -eu
make=${MAKE:-make}
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
# A folder of the user's own under the prefix must survive uninstall untouched.
mkdir -p "$prefix/share/man/man1" && echo keep > "$prefix/share/man/man1/other.1"

fail() { echo "check-install: $*" >&2; exit 1; }

"$make" --no-print-directory install PREFIX="$prefix" CONFIGURATION=debug >/dev/null
for file in bin/espo-ghl-sync share/man/man1/espo-ghl-sync.1 share/bash-completion/completions/espo-ghl-sync \
    share/zsh/site-functions/_espo-ghl-sync share/fish/vendor_completions.d/espo-ghl-sync.fish \
    share/espo-ghl-sync/mappings/contacts.json share/espo-ghl-sync/mappings/tasks.json; do
    [ -s "$prefix/$file" ] || fail "make install did not write $file"
done
"$prefix/bin/espo-ghl-sync" --version | grep -Eq '^espo-ghl-sync [0-9]+\.[0-9]+\.[0-9]+ \(commit ([0-9a-f]{12}(-dirty)?|unknown)\)$' \
    || fail "--version does not print the version and the commit: $("$prefix/bin/espo-ghl-sync" --version)"
# The man page is the command's own help: every subcommand is in it.
for command in plan sync serve status conflicts mapping auth emulate demo init webhooks completions; do
    grep -q "^\.It Em $command\$" "$prefix/share/man/man1/espo-ghl-sync.1" || fail "the man page does not describe $command"
done
grep -q '_espo-ghl-sync' "$prefix/share/bash-completion/completions/espo-ghl-sync" || fail "no bash completion function"
grep -q '#compdef espo-ghl-sync' "$prefix/share/zsh/site-functions/_espo-ghl-sync" || fail "no zsh completion"
grep -q "complete -c 'espo-ghl-sync'" "$prefix/share/fish/vendor_completions.d/espo-ghl-sync.fish" || fail "no fish completion"
cmp -s mappings/contacts.json "$prefix/share/espo-ghl-sync/mappings/contacts.json" || fail "the installed mappings differ"

"$make" --no-print-directory uninstall PREFIX="$prefix" CONFIGURATION=debug >/dev/null
left=$(cd "$prefix" && find . -mindepth 1 | sort | tr '\n' ' ')
[ "$left" = "./share ./share/man ./share/man/man1 ./share/man/man1/other.1 " ] \
    || fail "make uninstall left or removed the wrong things: $left"
echo "check-install: make install and make uninstall put and take away the binary, man page, completions and mappings"
