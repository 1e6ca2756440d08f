#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages the desk needs that this machine lacks; does nothing
# elsewhere. Usage: scripts/system-packages.sh [--tests|--bundle]
set -euo pipefail

# Python's venv module, and the libraries Qt loads even when it draws offscreen.
packages=(python3-venv python3-pip libgl1 libegl1 libglib2.0-0 libxkbcommon0 libfontconfig1
          libdbus-1-3 fonts-dejavu-core)
# Chinese, Japanese and Korean names on letters: a TrueType font too large to ship with the app.
packages+=(fonts-droid-fallback)
# A real window on an X11 desktop (not needed for the tests, which draw offscreen).
[[ "${1:-}" == "--tests" ]] || packages+=(libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1
    libxcb-render-util0 libxcb-shape0 libxkbcommon-x11-0)
# The tests look at letters as a person would: PDF pages turned into pictures.
[[ "${1:-}" == "--tests" ]] && packages+=(poppler-utils)
# Every database test also runs on a throw-away PostgreSQL server the tests start themselves.
[[ "${1:-}" == "--tests" ]] && packages+=(postgresql)
# The desktop bundle (scripts/bundle.sh, and the test that builds it): PyInstaller reads the
# libraries' dependencies with objdump.
[[ "${1:-}" == "--tests" || "${1:-}" == "--bundle" ]] && packages+=(binutils)

command -v dpkg-query >/dev/null 2>&1 || exit 0
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
        || missing+=("$package")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -eq 0 ]]; then
    sudo=()
elif command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
else
    echo "Please ask your administrator to install: ${missing[*]}" >&2
    exit 1
fi
echo "Installing system packages: ${missing[*]}"
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
