#!/bin/sh
# The gateway under ThreadSanitizer: builds `mid` and the gateway's concurrency
# test with -fsanitize=thread and runs the tests labelled tsan (four concurrent
# clients against one `mid serve`, tests/gateway/test_concurrency.c). Any
# ThreadSanitizer report in the gateway fails the test (gwt_stop checks the
# exit status and stderr of the server).
#
# usage: sh scripts/tsan-gateway.sh [BUILD_DIR]   (default: build/tsan, the tsan preset's)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-$root/build/tsan}
cmake -S "$root" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang \
    -DMID_SANITIZE=thread >/dev/null
cmake --build "$dir" -j2 --target mid_tool test_concurrency
# halt_on_error: the first report ends the server with a failure status.
TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1 second_deadlock_stack=1} \
    ctest --test-dir "$dir" -L tsan --output-on-failure
