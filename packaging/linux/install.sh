#!/usr/bin/env bash
# Installs this Infusion Desk bundle for the current user (or, with PREFIX=/usr/local and as
# root, for everyone): the folder, an infusion-desk command, the menu entry and the icon.
# Run it from inside the bundle folder: ./install.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
prefix="${PREFIX:-$HOME/.local}"

icons="$prefix/share/icons/hicolor"
mkdir -p "$prefix/lib" "$prefix/bin" "$prefix/share/applications" "$icons/scalable/apps" \
    "$icons/256x256/apps"
rm -rf "$prefix/lib/infusion-desk"
cp -a "$here" "$prefix/lib/infusion-desk"
ln -sf "$prefix/lib/infusion-desk/infusion-desk" "$prefix/bin/infusion-desk"
sed "s|^Exec=.*|Exec=$prefix/bin/infusion-desk|" "$here/infusion-desk.desktop" \
    > "$prefix/share/applications/infusion-desk.desktop"
cp "$here/infusion-desk.svg" "$icons/scalable/apps/infusion-desk.svg"
cp "$here/infusion-desk.png" "$icons/256x256/apps/infusion-desk.png"
command -v update-desktop-database >/dev/null 2>&1 \
    && update-desktop-database "$prefix/share/applications" || true
echo "Installed Infusion Desk in $prefix/lib/infusion-desk; start it from the menu or with" \
    "$prefix/bin/infusion-desk"
