# Shell helpers shared by the scripts that run a gateway on loopback
# (scripts/demo.sh, bench/run-gateway.sh). Source it; it defines functions only.
#
# The caller keeps two variables that the EXIT trap (gw_cleanup) uses:
#   probes      the RAM folder holding the roadside captures (deleted on exit)
#   server_pid  the background `mid serve`, or "" when none runs

# Prints a new folder for captures, in /dev/shm when it is writable (captures
# must not reach a disk), else in $TMPDIR. $1 is the folder name's prefix.
gw_capture_dir() {
    if [ -d /dev/shm ] && [ -w /dev/shm ]; then
        mktemp -d "/dev/shm/$1.XXXXXX"
    else
        mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX"
    fi
}

# Stops the gateway (SIGTERM, then waits) and deletes the captures.
gw_cleanup() {
    if [ -n "${server_pid:-}" ]; then
        kill -TERM "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    if [ -n "${probes:-}" ]; then
        rm -rf "$probes"
    fi
}

# Waits up to 5 minutes (the galleries load before the port is published) for
# the gateway started as $server_pid to write its port into $1; sets `port`.
# When the gateway exits first, prints its stderr ($2) and fails.
gw_wait_port() {
    port=""
    for _ in $(seq 1 3000); do
        if [ -s "$1" ]; then
            port=$(cat "$1")
            return 0
        fi
        if ! kill -0 "$server_pid" 2>/dev/null; then
            echo "the gateway exited:" >&2
            cat "$2" >&2
            server_pid=""
            return 1
        fi
        sleep 0.1
    done
    echo "the gateway did not start within 5 minutes" >&2
    return 1
}
