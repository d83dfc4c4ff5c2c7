#!/usr/bin/env bash
# Adds Interview Desktop to the desktop's application menu (Linux, for the current user):
#   scripts/install-desktop-entry.sh            # runs ./run.sh from this checkout
#   scripts/install-desktop-entry.sh PATH       # runs PATH (e.g. the built dist/interview-desktop/interview-desktop)
#   scripts/install-desktop-entry.sh --remove   # takes it away again
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
apps="${XDG_DATA_HOME:-$HOME/.local/share}/applications"
icons="${XDG_DATA_HOME:-$HOME/.local/share}/icons/hicolor"
if [ "${1:-}" = "--remove" ]; then
  rm -f "$apps/interview-desktop.desktop"
  for size in 16 32 48 64 128 256; do rm -f "$icons/${size}x${size}/apps/interview-desktop.png"; done
  echo "removed the Interview Desktop menu entry"
  exit 0
fi
exec_path=$(realpath "${1:-$here/run.sh}")
[ -x "$exec_path" ] || { echo "not executable: $exec_path" >&2; exit 1; }
mkdir -p "$apps"
for size in 16 32 48 64 128 256; do
  mkdir -p "$icons/${size}x${size}/apps"
  cp "$here/resources/icons/interview-desktop-$size.png" "$icons/${size}x${size}/apps/interview-desktop.png"
done
sed "s|@EXEC@|\"$exec_path\"|" "$here/resources/interview-desktop.desktop" > "$apps/interview-desktop.desktop"
chmod 644 "$apps/interview-desktop.desktop"
command -v update-desktop-database >/dev/null && update-desktop-database -q "$apps" || true
echo "installed $apps/interview-desktop.desktop (runs $exec_path)"
