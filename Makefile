# Makefile -- builds cptscov, its tests and its benchmark.
# `make demo` and `make check` first run scripts/install-deps, then build in a sub-make, so
# that the flags below are computed once the libraries are there.

CC      ?= cc
CFLAGS  ?= -O2 -g
PKGS     = gdal proj jansson inih
ALL_CFLAGS = -std=c17 -Wall -Wextra -D_GNU_SOURCE -DGEOS_USE_ONLY_R_API -Iinclude $(CFLAGS) \
             $(shell pkg-config --cflags $(PKGS)) $(shell geos-config --cflags)
LIBS     = $(shell pkg-config --libs $(PKGS)) $(shell geos-config --clibs) -lm -lpthread
TEST_LIBS = $(shell pkg-config --libs cmocka)

SRC      = $(wildcard src/*.c)
OBJ      = $(SRC:src/%.c=build/%.o)
LIB_OBJ  = $(filter-out build/main.o,$(OBJ))
TESTS    = $(wildcard tests/test_*.c)
TEST_BIN = $(TESTS:tests/%.c=build/tests/%)

.PHONY: all demo check deps build-tests run-tests clean man sample bench

all: cptscov

cptscov: $(OBJ)
	$(CC) $(ALL_CFLAGS) -o $@ $(OBJ) $(LIBS)

build/%.o: src/%.c | build
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

build/tests/%: tests/%.c tests/fixtures.h tests/compare_maps.h $(LIB_OBJ) | build
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
	@echo "maps and tables are in $(CURDIR)/demo-out/ (communes.geojson, cpts.geojson, departments.geojson, regions.geojson, uncovered.geojson, coverage_*.csv, summary.json)"

check: deps
	@$(MAKE) --no-print-directory cptscov build-tests
	@$(MAKE) --no-print-directory run-tests

build-tests: $(TEST_BIN)

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

clean:
	rm -rf build cptscov demo-out

-include $(OBJ:.o=.d)
