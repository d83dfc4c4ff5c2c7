#!/usr/bin/env bash
# Starts (or stops) the services the test suite uses, all in user space under .test-services/:
#   - a PulseAudio server with a virtual microphone: null sink "vspk" whose monitor is remapped
#     as source "vmic" (whatever is played into vspk is what the app hears);
#   - a MongoDB-wire server (secantusdb, test-only) on 127.0.0.1.
# Prints the environment to use as `export` lines; test.sh evals them.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
dir="$here/.test-services"
cmd=${1:-start}
py="$here/.venv/bin/python"

# stop [pulse] [mongo] | stop all: stop the named services. test.sh stops only what it started.
stop() {
  local what=" $* "; [ "$what" = " all " ] && what=" pulse mongo "
  if [[ "$what" == *" mongo "* ]] && [ -f "$dir/mongo.pid" ]; then
    local pid; pid=$(cat "$dir/mongo.pid")
    kill "$pid" 2>/dev/null || true
    # wait for it to close its files: a server started at once on the same folder panics otherwise
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$dir/mongo.pid"
  fi
  if [[ "$what" == *" pulse "* ]] && [ -d "$dir/pulse" ]; then
    PULSE_RUNTIME_PATH="$dir/pulse/run" pactl exit >/dev/null 2>&1 || true
  fi
}

if [ "$cmd" = stop ]; then shift; stop "$@"; exit 0; fi
started=""

mkdir -p "$dir/pulse/run" "$dir/pulse/state" "$dir/mongo"
export PULSE_RUNTIME_PATH="$dir/pulse/run" PULSE_STATE_PATH="$dir/pulse/state"
if ! pactl info >/dev/null 2>&1; then
  cat > "$dir/pulse/vmic.pa" <<'PA'
load-module module-native-protocol-unix
load-module module-null-sink sink_name=vspk rate=16000 channels=1
load-module module-remap-source source_name=vmic master=vspk.monitor
set-default-sink vspk
set-default-source vmic
PA
  pulseaudio --daemonize=yes --system=false --exit-idle-time=-1 -n -F "$dir/pulse/vmic.pa" \
    --log-target="file:$dir/pulse/pulse.log" >&2
  for _ in $(seq 100); do pactl info >/dev/null 2>&1 && break; sleep 0.1; done
  pactl info >/dev/null 2>&1 || { echo "virtual microphone did not start; see $dir/pulse/pulse.log" >&2; exit 1; }
  started="pulse"
fi
echo "export PULSE_RUNTIME_PATH='$PULSE_RUNTIME_PATH' PULSE_STATE_PATH='$PULSE_STATE_PATH' INTERVIEW_TEST_VMIC=1"

if [ -n "${MONGODB_URI:-}" ]; then
  echo "export INTERVIEW_TEST_MONGODB_URI='$MONGODB_URI' INTERVIEW_TEST_STARTED='$started'"
  exit 0
fi
port_file="$dir/mongo.port"
if [ -f "$dir/mongo.pid" ] && kill -0 "$(cat "$dir/mongo.pid")" 2>/dev/null; then
  port=$(cat "$port_file")
else
  port=$("$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  rm -rf "$dir/mongo/data"; mkdir -p "$dir/mongo/data"
  nohup "$here/.venv/bin/secantusd-py" --host 127.0.0.1 --port "$port" --storage-path "$dir/mongo/data" \
    > "$dir/mongo/server.log" 2>&1 &
  echo $! > "$dir/mongo.pid"
  echo "$port" > "$port_file"
  started="$started mongo"
  "$py" - "$port" <<'PY' >&2
import sys, time
import pymongo
port = int(sys.argv[1])
deadline = time.monotonic() + 30
while True:
    try:
        pymongo.MongoClient(f"mongodb://127.0.0.1:{port}", serverSelectionTimeoutMS=500).admin.command("ping")
        break
    except pymongo.errors.PyMongoError:
        if time.monotonic() > deadline:
            sys.exit("MongoDB-wire test server did not answer ping within 30 s")
PY
fi
echo "export INTERVIEW_TEST_MONGODB_URI='mongodb://127.0.0.1:$port' INTERVIEW_TEST_STARTED='$started'"
