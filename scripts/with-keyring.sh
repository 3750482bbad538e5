#!/usr/bin/env bash
# Runs a command where the OS keychain works, so the vault's keychain tests run against a real Secret Service.
#
# On Linux without a running Secret Service (CI, containers, SSH sessions) it starts a private D-Bus session
# with a throwaway gnome-keyring whose login keyring is unlocked with a random password; the keyring files go
# to a temporary directory that is removed afterwards, so the developer's own keyring is never touched.
# Elsewhere (macOS, Windows, a Linux desktop session) it runs the command as is.
#
# Usage: scripts/with-keyring.sh <command> [args...]
set -euo pipefail

if [[ $# -eq 0 ]]; then
  echo "Usage: $0 <command> [args...]" >&2
  exit 2
fi

secret_service_running() {
  [[ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ]] || return 1
  command -v dbus-send >/dev/null || return 1
  dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true'
}

if [[ "$(uname -s)" != Linux ]] || secret_service_running; then
  exec "$@"
fi

for tool in dbus-run-session gnome-keyring-daemon; do
  if ! command -v "$tool" >/dev/null; then
    echo "with-keyring: $tool is missing; install it (Debian/Ubuntu: sudo apt-get install dbus gnome-keyring)." >&2
    echo "with-keyring: running the command without a Secret Service; keychain tests will fail." >&2
    exec "$@"
  fi
done

keyring_home="$(mktemp -d "${TMPDIR:-/tmp}/kiki-keyring.XXXXXX")"
trap 'rm -rf "$keyring_home"' EXIT
mkdir -m 700 "$keyring_home/data" "$keyring_home/run"

# Only the daemon sees the temporary XDG dirs; the command keeps its own environment. KIKI_TEST_KEYRING_DIR
# tells the keychain test where the keyring files are, so it can check that no secret is written in clear.
start_keyring_then_run='
  head -c 32 /dev/urandom | base64 | tr -d "\n" |
    XDG_DATA_HOME="$KIKI_TEST_KEYRING_DIR/data" XDG_RUNTIME_DIR="$KIKI_TEST_KEYRING_DIR/run" \
      gnome-keyring-daemon --unlock --components=secrets >/dev/null ||
    echo "with-keyring: gnome-keyring-daemon did not start; keychain tests will fail." >&2
  exec "$@"
'
status=0
KIKI_TEST_KEYRING_DIR="$keyring_home" dbus-run-session -- bash -c "$start_keyring_then_run" with-keyring "$@" || status=$?
exit "$status"
