#!/usr/bin/env bash
# Builds the desktop bundle: one folder, dist/infusion-desk/, whose program infusion-desk
# (infusion-desk.exe on Windows) opens the desk and runs every command with no Python
# installed. On Linux the folder also holds the .desktop file, the icon and install.sh.
# Usage: scripts/bundle.sh [OUT]   (OUT: where the bundle folder goes, default dist/)
# On Windows and macOS see docs/bundle.md.
set -euo pipefail
cd "$(dirname "$0")/.."

mkdir -p "${1:-dist}"
out="$(cd "${1:-dist}" && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/infusion-desk-bundle.XXXXXX")"
trap 'rm -rf "$work"' EXIT

scripts/system-packages.sh --bundle
python=.venv/bin/python
[[ -x .venv/Scripts/python.exe ]] && python=.venv/Scripts/python.exe  # Windows (Git Bash)
if ! "$python" -c "import PyInstaller" >/dev/null 2>&1; then
    scripts/venv.sh bundle
fi

# Time zones: Windows has no zone database of its own, so the tzdata package (installed there
# with the desk) goes in whenever it is installed; zoneinfo finds it only by name.
extra=()
"$python" -c "import tzdata" >/dev/null 2>&1 && extra+=(--collect-data tzdata --hidden-import tzdata)

# Alembic reads the migrations as files, so they go in as data beside the bundled modules;
# every command module is found by name at run time, hence --collect-submodules. The icon
# (the desk's app.svg drawn at 256 px) marks the .exe on Windows and the app on macOS.
"$python" -m PyInstaller main.py \
    --name infusion-desk \
    --onedir \
    --noconfirm \
    --log-level WARN \
    --distpath "$out" \
    --workpath "$work/build" \
    --specpath "$work" \
    --icon "$PWD/packaging/infusion-desk.png" \
    --collect-submodules scheduler \
    --collect-data scheduler \
    --add-data "$PWD/scheduler/store/migrations/versions/*.py:scheduler/store/migrations/versions" \
    --add-data "$PWD/scheduler/store/migrations/env.py:scheduler/store/migrations" \
    --collect-submodules pypdfium2 \
    --collect-data pypdfium2 \
    --collect-all pypdfium2_raw \
    --exclude-module tkinter \
    --exclude-module pytest \
    ${extra[@]+"${extra[@]}"}

if [[ "$(uname -s)" == "Linux" ]]; then
    cp packaging/linux/infusion-desk.desktop packaging/linux/install.sh "$out/infusion-desk/"
    cp scheduler/resources/icons/app.svg "$out/infusion-desk/infusion-desk.svg"
    cp packaging/infusion-desk.png "$out/infusion-desk/infusion-desk.png"
fi
echo "Built $out/infusion-desk ($(du -sh "$out/infusion-desk" | cut -f1))"
