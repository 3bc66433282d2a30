# mobileid top-level entry points. The build itself is CMake (CMakePresets.json).
#   make demo   install what is missing, build, run the demo (gateway, scenarios, audit)
#   make check  install what is missing, build, run every test (release and asan; the gateway
#               under tsan)
.PHONY: all deps build check check-release check-asan check-tsan demo demo-engine bench fuzz format clean

all: build

deps:
	@sh scripts/install-deps.sh

build: deps
	cmake --preset release >/dev/null
	cmake --build --preset release

check: check-release check-asan check-tsan

check-release: build
	ctest --preset release

check-asan: deps
	cmake --preset asan >/dev/null
	cmake --build --preset asan
	ctest --preset asan

# The gateway under ThreadSanitizer: four concurrent devices against `mid serve`.
check-tsan: deps
	sh scripts/tsan-gateway.sh build/tsan

demo: build
	sh scripts/demo.sh build/release/tools/mid/mid

demo-engine: build
	sh scripts/demo-engine.sh build/release/tools/mid/mid

bench: build
	sh bench/run-fvc.sh build/release/tools/mid/mid

fuzz: deps
	cmake --preset fuzz >/dev/null
	cmake --build --preset fuzz

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build
