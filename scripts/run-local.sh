#!/usr/bin/env bash
# `make run`: the bot (SQLite, demo data) on 127.0.0.1:3978 and the Agents Playground on :56150.
# Ctrl-C stops both; the SQLite file under data/ keeps everything for the next start.
set -euo pipefail
cd "$(dirname "$0")/.."

# The Playground's own user (Alex Wilber) is an admin of the local demo node.
export NODE_ADMIN_IDS="${NODE_ADMIN_IDS:-00000000-0000-0000-0000-0000000000020}"
.venv/bin/python -m bot serve --host 127.0.0.1 --port 3978 --demo &
bot_pid=$!
stop() {
  trap - INT TERM EXIT
  kill "$playground_pid" 2>/dev/null || true
  kill "$bot_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  echo "Stopped. Data is kept in ./data."
}
playground_pid=""
trap stop INT TERM EXIT

for _ in $(seq 1 100); do
  curl -fs http://127.0.0.1:3978/healthz >/dev/null 2>&1 && break
  sleep 0.2
done

echo "Bot: http://127.0.0.1:3978/api/messages  Playground: http://127.0.0.1:56150"
# Without a screen the Playground cannot open a browser and exits; then just print its URL.
if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ "$(uname)" != "Darwin" ]; then
  export TEAMSAPPTESTER_BROWSER=none
fi
# The Playground exits when its stdin closes, so keep stdin open. No telemetry from here.
tail -f /dev/null | npx --no-install agentsplayground \
  -e http://127.0.0.1:3978/api/messages -c msteams --disable-telemetry &
playground_pid=$!
wait "$bot_pid"
