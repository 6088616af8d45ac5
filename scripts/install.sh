#!/bin/sh
# `make install` / `make uninstall`: puts espo-ghl-sync under a prefix, or takes away exactly what it put
# there. Every file written and every folder created is listed in
# $ROOT/share/espo-ghl-sync/installed-files; uninstall removes those files, then those folders if empty.
#   scripts/install.sh install ROOT BINARY MAN_PAGE
#   scripts/install.sh uninstall ROOT
set -eu
mode=$1 root=$2
share="$root/share/espo-ghl-sync"
manifest="$share/installed-files"

case "$mode" in
install)
    binary=$3 man_page=$4
    [ -x "$binary" ] || { echo "install: $binary is not built" >&2; exit 1; }
    [ -f "$man_page" ] || { echo "install: $man_page is not generated (make man)" >&2; exit 1; }
    created=""
    for dir in "$root" "$root/bin" "$root/share" "$root/share/man" "$root/share/man/man1" \
        "$root/share/bash-completion" "$root/share/bash-completion/completions" \
        "$root/share/zsh" "$root/share/zsh/site-functions" "$root/share/fish" \
        "$root/share/fish/vendor_completions.d" "$share" "$share/mappings"; do
        if [ ! -d "$dir" ]; then mkdir -p "$dir"; created="$dir
$created"; fi
    done
    # Folders from an earlier install of this tool stay listed, so uninstall still removes them.
    if [ -f "$manifest" ]; then created="$created$(sed -n 's/^dir //p' "$manifest")
"; fi
    install -m 0755 "$binary" "$root/bin/espo-ghl-sync"
    install -m 0644 "$man_page" "$root/share/man/man1/espo-ghl-sync.1"
    "$binary" completions bash > "$root/share/bash-completion/completions/espo-ghl-sync"
    "$binary" completions zsh > "$root/share/zsh/site-functions/_espo-ghl-sync"
    "$binary" completions fish > "$root/share/fish/vendor_completions.d/espo-ghl-sync.fish"
    install -m 0644 mappings/*.json "$share/mappings/"
    {
        echo "file $root/bin/espo-ghl-sync"
        echo "file $root/share/man/man1/espo-ghl-sync.1"
        echo "file $root/share/bash-completion/completions/espo-ghl-sync"
        echo "file $root/share/zsh/site-functions/_espo-ghl-sync"
        echo "file $root/share/fish/vendor_completions.d/espo-ghl-sync.fish"
        for mapping in mappings/*.json; do echo "file $share/$mapping"; done
        echo "file $manifest"
        # Deepest first, so that uninstall removes a folder after what is inside it.
        printf '%s' "$created" | awk 'NF' | sort -u | awk '{ print length($0) " " $0 }' | sort -rn | cut -d' ' -f2- | sed 's/^/dir /'
    } > "$manifest"
    echo "Installed $("$root/bin/espo-ghl-sync" --version) in $root"
    ;;
uninstall)
    [ -f "$manifest" ] || { echo "uninstall: nothing to remove, $manifest does not exist (same PREFIX as install?)" >&2; exit 1; }
    sed -n 's/^file //p' "$manifest" > "$manifest.removing"
    sed -n 's/^dir //p' "$manifest" > "$manifest.folders"
    while IFS= read -r file; do rm -f "$file"; done < "$manifest.removing"
    rm -f "$manifest.removing"
    folders=$(cat "$manifest.folders"); rm -f "$manifest.folders"
    # The mappings folder and the tool's share folder were always ours.
    rmdir "$share/mappings" "$share" 2>/dev/null || true
    printf '%s\n' "$folders" | while IFS= read -r dir; do [ -n "$dir" ] && rmdir "$dir" 2>/dev/null || true; done
    echo "Removed espo-ghl-sync from $root"
    ;;
*)
    echo "usage: $0 install ROOT BINARY MAN_PAGE | uninstall ROOT" >&2; exit 2 ;;
esac
