# Makefile -- builds cptscov, its tests and its benchmark.
# `make demo` and `make check` first run scripts/install-deps, then build in a sub-make, so
# that the flags below are computed once the libraries are there.

CC      ?= cc
CFLAGS  ?= -O2 -g
PKGS     = gdal proj jansson inih libcrypto
ALL_CFLAGS = -std=c17 -Wall -Wextra -D_GNU_SOURCE -DGEOS_USE_ONLY_R_API -Iinclude $(CFLAGS) \
             $(shell pkg-config --cflags $(PKGS)) $(shell geos-config --cflags)
LIBS     = $(shell pkg-config --libs $(PKGS)) $(shell geos-config --clibs) -lm -lpthread
TEST_LIBS = $(shell pkg-config --libs cmocka)
# jemalloc for the program: GEOS allocates millions of small objects, and glibc's malloc
# spends a fifth of the national job consolidating them (measured in bench/results.md).
# The sanitizer and fuzz builds keep their own allocator.
MALLOC_LIB = -ljemalloc

SRC      = $(wildcard src/*/*.c)
OBJ      = $(SRC:src/%.c=build/%.o)
LIB_OBJ  = $(filter-out build/app/main.o,$(OBJ))
TESTS    = $(wildcard tests/test_*.c)
TEST_BIN = $(TESTS:tests/%.c=build/tests/%)

.PHONY: all demo check deps build-tests run-tests clean man sample bench check-layers
.PHONY: check-asan asan-build asan-run-tests fuzz fuzz-build fuzz-ci fuzz-deps valgrind

all: cptscov

cptscov: $(OBJ)
	$(CC) $(ALL_CFLAGS) -o $@ $(OBJ) $(LIBS) $(MALLOC_LIB)

build/%.o: src/%.c | build
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

build/tests/%: tests/%.c tests/fixtures.h tests/compare_maps.h tests/cli_run.h $(LIB_OBJ) | build
	@mkdir -p build/tests
	$(CC) $(ALL_CFLAGS) -Itests -o $@ $< $(LIB_OBJ) $(LIBS) $(TEST_LIBS)

build:
	@mkdir -p build

deps:
	@scripts/install-deps

# The sample run: prints where the outputs are.
demo: deps
	@$(MAKE) --no-print-directory cptscov
	@rm -rf demo-out
	./cptscov run --communes geodata/communes.shp --population geodata/population.csv \
	    --passage geodata/passage.csv --members geodata/members.csv --epci geodata/epci.csv \
	    --out demo-out
	@echo "the report: $(CURDIR)/demo-out/report.html (open it in a browser; it works offline)"
	@echo "maps and tables are in $(CURDIR)/demo-out/ (report.md, maps/*.svg, communes.geojson, cpts.geojson, departments.geojson, regions.geojson, uncovered.geojson, coverage_*.csv, summary.json)"

check: deps
	@scripts/check-layers
	@$(MAKE) --no-print-directory cptscov build-tests
	@$(MAKE) --no-print-directory run-tests

build-tests: $(TEST_BIN)

# The layer rules of src/ and include/ (docs/hacking.md): which stage may include which.
check-layers:
	@scripts/check-layers

run-tests:
	@scripts/run-tests $(TEST_BIN)

# The man page, made from the same options table as --help.
man: cptscov
	@mkdir -p docs
	./cptscov --man > docs/cptscov.1

sample:
	scripts/make-sample

# The benchmark (not a test): the national job against GeoPandas and mapshaper, its stages,
# and scaling on synthetic countries; prints the tables and writes bench/results.md.
bench: cptscov
	@scripts/bench

# Sanitizers: the program and every test built with AddressSanitizer (leaks included) and
# UndefinedBehaviorSanitizer into build-asan/, then the whole suite run with any report fatal.
# The CLI tests run build-asan/cptscov (CPTSCOV_BIN). Reports also go to files under
# build-asan/sanitizer-logs/, so that one in a child process whose exit status a test does not
# look at still fails the run. tests/lsan.supp would name leaks of GDAL/PROJ/GEOS that are
# not ours (none today).
SAN_FLAGS     = -fsanitize=address,undefined,float-cast-overflow -fno-omit-frame-pointer \
                -fno-sanitize-recover=undefined,float-cast-overflow
ASAN_OBJ      = $(SRC:src/%.c=build-asan/%.o)
ASAN_LIB_OBJ  = $(filter-out build-asan/app/main.o,$(ASAN_OBJ))
ASAN_TEST_BIN = $(TESTS:tests/%.c=build-asan/tests/%)
SAN_COMMON    = halt_on_error=1:exitcode=86:print_stacktrace=1:log_path=$(CURDIR)/build-asan/sanitizer-logs/report
SAN_ENV       = ASAN_OPTIONS=$(SAN_COMMON):detect_leaks=1:detect_stack_use_after_return=1:strict_string_checks=1:check_initialization_order=1 \
                LSAN_OPTIONS=$(SAN_COMMON):suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 \
                UBSAN_OPTIONS=$(SAN_COMMON) \
                CPTSCOV_BIN=build-asan/cptscov TEST_LOGS=build-asan/test-logs

check-asan: deps
	@$(MAKE) --no-print-directory asan-build
	@$(MAKE) --no-print-directory asan-run-tests

asan-build: build-asan/cptscov $(ASAN_TEST_BIN)

asan-run-tests:
	@rm -rf build-asan/sanitizer-logs && mkdir -p build-asan/sanitizer-logs
	@$(SAN_ENV) scripts/run-tests $(ASAN_TEST_BIN); status=$$?; \
	if [ -n "$$(ls build-asan/sanitizer-logs)" ]; then \
	    echo "sanitizer reports (build-asan/sanitizer-logs):"; cat build-asan/sanitizer-logs/*; exit 1; \
	fi; \
	if grep -l 'runtime error:\|Sanitizer' build-asan/test-logs/*.log; then \
	    echo "check-asan: sanitizer reports in the test logs above"; exit 1; \
	fi; \
	[ $$status -eq 0 ] && echo "check-asan: no sanitizer report"; exit $$status

# Sanitized objects depend on the Makefile too, so that a change of flags rebuilds them.
build-asan/cptscov: $(ASAN_OBJ)
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -o $@ $(ASAN_OBJ) $(LIBS)

build-asan/%.o: src/%.c Makefile
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -MMD -MP -c -o $@ $<

build-asan/tests/%: tests/%.c tests/fixtures.h tests/compare_maps.h tests/cli_run.h $(ASAN_LIB_OBJ) Makefile
	@mkdir -p build-asan/tests
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -Itests -o $@ $< $(ASAN_LIB_OBJ) $(LIBS) $(TEST_LIBS)

# Fuzzing (clang and libFuzzer, installed by `scripts/install-deps --fuzz`): one target per
# parser of cptscov's own, in fuzz/, each with its seed corpus in fuzz/corpus/<target>/.
# `make fuzz` runs each target FUZZ_SECONDS (default 600) in turn; `make fuzz-ci` 30 s each.
# New inputs found go to build-fuzz/corpus/<target>/ (the seeds are never written to);
# a crash leaves build-fuzz/crash-* and stops the run.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 600
FUZZ_FLAGS    = -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
FUZZ_TARGETS  = $(patsubst fuzz/%.c,%,$(wildcard fuzz/fuzz_*.c))
FUZZ_BIN      = $(FUZZ_TARGETS:%=build-fuzz/%)
FUZZ_OBJ      = $(filter-out build-fuzz/obj/app/main.o,$(SRC:src/%.c=build-fuzz/obj/%.o))
FUZZ_ENV      = ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:strict_string_checks=1 \
                LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 \
                UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

fuzz-deps:
	@scripts/install-deps --fuzz

fuzz: fuzz-deps
	@$(MAKE) --no-print-directory fuzz-build
	@for t in $(FUZZ_TARGETS); do \
	    mkdir -p build-fuzz/corpus/$$t && \
	    echo "fuzz: $$t for $(FUZZ_SECONDS) s" && \
	    $(FUZZ_ENV) build-fuzz/$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	        -artifact_prefix=build-fuzz/crash-$$t- \
	        build-fuzz/corpus/$$t fuzz/corpus/$$t 2>build-fuzz/$$t.log || \
	    { tail -n 60 build-fuzz/$$t.log; exit 1; }; \
	    grep -E '^stat::(number_of_executed_units|peak_rss_mb)|^#[0-9]+.*DONE' build-fuzz/$$t.log | tr '\n' ' '; echo; \
	done

fuzz-ci: fuzz-deps
	@$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=30

fuzz-build: $(FUZZ_BIN)

.SECONDARY: $(FUZZ_OBJ)

build-fuzz/obj/%.o: src/%.c Makefile
	@mkdir -p $(@D)
	$(FUZZ_CC) $(ALL_CFLAGS) $(FUZZ_FLAGS) -MMD -MP -c -o $@ $<

build-fuzz/fuzz_%: fuzz/fuzz_%.c fuzz/fuzz_common.h $(FUZZ_OBJ) Makefile
	$(FUZZ_CC) $(ALL_CFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer -Ifuzz -o $@ $< $(FUZZ_OBJ) $(LIBS)

# The national job (as in tests/test_national.c) under valgrind: any definite leak or memory
# error fails. Needs ../shared/geodata (or CPTSCOV_GEODATA); takes a few minutes.
GEODATA ?= $(if $(CPTSCOV_GEODATA),$(CPTSCOV_GEODATA),../shared/geodata)
NATIONAL_LAYERS = FXX GLP MTQ GUF REU MYT
valgrind: cptscov
	@scripts/install-deps --valgrind
	@rm -rf build/valgrind-out
	valgrind --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=1 \
	    --soname-synonyms=somalloc=libjemalloc.so* \
	    --log-file=build/valgrind.log \
	    ./cptscov run $(foreach l,$(NATIONAL_LAYERS),--communes $(GEODATA)/admin-express-cog-2018/COMMUNE_$(l).shp) \
	    --population $(GEODATA)/insee/populations-2025.csv --passage $(GEODATA)/insee/passage-cog-2025.csv \
	    --epci $(GEODATA)/insee/epci-2025.csv --members $(GEODATA)/cpts/cpts-synthetic-national.csv \
	    --out build/valgrind-out --quiet \
	    || { tail -n 60 build/valgrind.log; exit 1; }
	@sed -n '/HEAP SUMMARY/,$$p' build/valgrind.log | sed 's/^==[0-9]*== //'

clean:
	rm -rf build build-asan build-fuzz cptscov demo-out

-include $(OBJ:.o=.d) $(ASAN_OBJ:.o=.d) $(FUZZ_OBJ:.o=.d)
