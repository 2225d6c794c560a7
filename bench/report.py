#!/usr/bin/python3
"""report.py -- the tables of `make bench`, from the runs scripts/bench left in WORK/runs.

    /usr/bin/python3 bench/report.py WORK RESULTS

Prints the tables and writes them to RESULTS (markdown; only the latest results are kept).
Every figure comes from the runs of this one invocation of scripts/bench: nothing is compared
with timings taken in another.
"""
import json
import os
import re
import statistics
import sys

MB = 1e6  # RSS and sizes in MB of 10^6 bytes

TARGET_WALL_S = 1.0

TARGET_RSS_MB = 200.0
TARGET_GEOPANDAS_RATIO = 25.0
TARGET_SCALING_RATIO = 1.5

# Figures behind design choices, taken out of the code's comments (bench/results.md prints them).
CODE_FIGURES = [
    "arcs (src/geom/arcs.c): the maps' WGS84 change is 1.2 million points through PROJ for France, a third of a second of CPU; the build of the arcs holds one core for a quarter of a second. Reusing the vertices' room for the changed points saves 20 MB of fresh pages. A hash-keyed edge table (instead of per-vertex lists) missed the cache at each probe: a quarter of the build. The build's tables are 5 to 35 MB each; before mem_hold the national job took 196 huge-page faults, 94 of them in this build, 2 ms of the kernel's each on a virtual machine; 148 with it. Taking the rings where they are instead of copying them raised the peak by 40 MB. Memory the process has not held before costs up to 20 times what reused memory costs on such a machine. GEOS polygons of France: 75 MB (freed by topo_build_taking).",
    'ring copy (src/geom/arcs_rings.c): growing the buffer by doubling would hold up to twice the 35 MB of the national rings at the peak. Copying and freeing the GEOS polygons held one core for a twentieth of the job while the projection waited for the first vertices (hence on the pool). Vertices are about half the points: 1.05 of 2.17 million for France; the vertex table is 8 MB of fresh pages instead of 17.',
    "simplification (src/geom/simplify.c): Douglas-Peucker by hand on the flat buffer takes 0.04 s for the 104 000 national arcs, where GEOSSimplify_r takes 0.10 s on the 35 000 rings alone. The packed points are a fifth of the exact points at the report's national scale; the arcs kept by classes hold a quarter of France's points.",
    "clash proof (src/geom/clash.c): skipping GEOSisValid_r in the dissolves saves 0.2 s of CPU for France; a few thousand pairs of segments are compared, at nodes where four communes meet; growing the band arrays by doubling cost a twentieth of the proof; a round of topo_find_changed_clashes changes a few dozen arcs of 100 000 and costs 0.1 s for the report's two scales of France.",
    "tracing (src/geom/outline.c, shape.c): GEOSisValid_r is a third of the dissolves' time; tracing the departments and CPTS of France from the arcs takes 0.2 s against 1.2 s of CPU for GEOSCoverageUnion_r in GEOS 3.11.",
    'segments (src/geom/segment.c): polygons of one ring are 99.5 % of the communes of France; GEOSisValid_r answered in 1 100 instructions a point (a quarter of the national job); the sweep takes 290 instructions a point.',
    'src/read/read_communes.c (header; was in read_communes.c before the split): keeping a one-ring commune as its ring instead of a GEOS polygon (24 bytes a point plus its objects) saves 60 MB of memory the process touched for the first time (France).',
    "src/read/read_communes.c (crd_finish, FINISH_SLICE comment): a PROJ context and transformation copies made per slice instead of per worker cost 25 ms of the stage's 170 ms.",
    "src/read/ogr_rings.c (polygonal_of_ogr): copying OGR's points straight into GEOS is 4 times faster than through WKB: a tenth of the reading time.",
    'src/read/ogr_rings.c (ring_of_ogr_polygon): the GEOS polygons that the ring path avoids were 60 MB of fresh memory for France.',
    'src/read/read_communes_internal.h (polygon_batch): checking the polygons while the layer is still read (instead of after) saves 0.1 s on the national job.',
    'src/read/commune_source.c (ignore_other_fields): the national ADMIN EXPRESS layer has 14 fields beside the code and the name.',
    "src/read/commune_source.c (read_source): PROJ's look-up of the CRS takes 0.03 s for Lambert-93 (hence the features first, the CRS after).",
    "src/read/commune_source.c (reader_thread): GDAL's PROJ look-up of the CRS takes 25 ms for each overseas layer of France.",
    "src/read/commune_validity.c (simple_ring): seg_ring_simple tells whether a ring is simple in a quarter of GEOSisValid_r's instructions.",
    'src/read/table.c (header): making an OGR feature of each row (the feature, its fields and their strings) took 1.3 us a row, two thirds of reading the national tables (140 000 rows).',
    'src/read/table.c (MAX_TABLE): the population table of a million communes is 40 MB.',
    "src/write/map_writer.c (now src/write/map_geojson.c, file header): GDAL's GeoJSON driver, on the national job, spends 4 s on the 2 million vertices of the communes alone, more than the whole rest of the run.",
    'src/write/map_writer.c (now src/write/map_engine.h, struct map_writer, to_wgs84): a copy of a PROJ transformation (proj_clone) costs PROJ 0.4 ms of its database.',
    'src/write/map_writer.c (now src/write/map_geojson.c, put_fixed): a third of the time of the national maps goes into their 5 million numbers; writing the decimals two at a time then dropping trailing zeros: 24.6 -> 20.5 ns a number.',
    "src/write/map_writer.c (now src/write/map_geojson.c, put_fixed): libm's round() call was 1 % of the job's instructions.",
    'src/write/map_writer.c (now src/write/map_geojson.c, put_fixed): 32-bit divisions "cheaper by half" than 64-bit ones.',
    "src/report/report_maps.c (file header and the pool_run call in rmap_draw_all): the report's 20 maps of France took 0.06 s on one core (while the other core waited).",
    'src/write/outdir.c (header): a run killed before its end leaves its temporary directory behind; "on the national job that is hundreds of megabytes".',
    'src/app/main.c (the comment on malloc_conf): "The national job touches 200 MB in about a second: in 4 KB pages, 100 000 page faults ... a quarter of the job\'s CPU went to the kernel. In 2 MB pages ... 12 000 faults"; one arena per thread "would hold a partly used huge page each, 20 MB more at the peak"; the arcs\' build "whose tables of 5 to 35 MB live one after the other"; and "Where the kernel has THP off ("never"), this is jemalloc as before".',
    'include/model/commune_table.h (commune.ring): a polygon of one ring and no hole as read is "99.5 % of ADMIN EXPRESS\'s".',
    'strings (src/util/strmap.c): the national job puts 420 000 keys in string maps; freeing them one by one at its end took 10 ms.',
    'drivers (src/util/gdal_drivers.c): GDALAllRegister() costs 8 ms and 7.5 MB of library pages mapped in, on every run.',
    'report maps (src/report/svg_map.c): going through WGS84 for every layer took 0.2 s of a core on the national report, most of its time.',
    'territories (src/analyse/territories.c): tracing the departments and CPTS of France from the arcs takes 0.2 s of CPU against 1.2 s for GEOSCoverageUnion_r.',
    "zeroing (include/util/util.h): pages of calloc faulting twice cost 0.08 s of the national job's table reading.",
]

# Techniques measured one by one when they were introduced (bench/results.md prints them).
TECHNIQUES = [
    ("`GEOSCoverageUnion_r` for the 101 departments instead of `GEOSUnaryUnion_r`",
     "5.81 s", "0.44 s"),
    ("departments and CPTS traced from the arcs of topology.c (`shape_dissolve_arcs`) instead "
     "of `GEOSCoverageUnion_r` (GEOS 3.11)", "1.13 s", "0.18 s (+0.27 s to build the arcs, "
     "shared with the adjacency and the maps)"),
    ("whole national job with the dissolves traced from the arcs (one run each, wall / CPU)",
     "3.22 s / 4.66 s", "2.50 s / 3.30 s"),
    ("streaming RFC 7946 GeoJSON writer instead of GDAL's driver (five maps, CPU)", "5.6 s",
     "0.9 s"),
    ("thread pool, one GEOS context per worker: `--threads 1` against the default 2 "
     "(national wall, medians of 3, today)", "2.53 s", "2.20 s"),
    ("jemalloc instead of glibc malloc (national CPU, medians of 3, today; it was a fifth of "
     "the CPU when the dissolves were GEOSCoverageUnion_r)", "3.50 s", "3.43 s"),
    ("PROJ areal factors from the bare projection instead of the CRS-to-CRS operation "
     "(per call, when introduced)", "1", "1/20 000"),
    ("uncovered zones: adjacency read off the arcs instead of a second edge hash (wall; "
     "all-pairs `GEOSTouches_r` was never written)", "0.16 s, +59 MiB", "0.004 s"),
    ("report.html made on its own thread beside the maps (national wall, 3 runs)", "2.5 s",
     "2.0 s"),
    ("arcs' buffers sized before being filled (build's peak memory)", "+115 MiB", "+97 MiB"),
    ("GeoJSON maps traced again from the exact arcs, the arcs' points taken to WGS84 once "
     "(`topo_points_map`, a part per core) instead of every ring of every map by PROJ "
     "(write maps, wall / CPU, national, 2 runs each, one after the other)",
     "0.91 s / 1.81 s", "0.22 s / 0.45 s (+0.15 s / 0.29 s for the projection)"),
    ("report's two scales simplified once per job on a thread of their own beside the "
     "dissolves, and polygons checked while the layer is still read (national wall, 3 runs)",
     "1.91 s", "1.81 s"),
    ("report's SVG: a layer already in its frame's CRS drawn as it is, not through WGS84 and "
     "back (national wall, 3 runs; report.html byte-identical)", "1.81 s", "1.63 s"),
    ("polygons read ahead on a thread of their own beside the tables, and a simplified commune "
     "of one ring checked by tracing it once no arc clashes instead of `GEOSisValid_r` "
     "(national wall, 3 runs)", "1.63 s", "1.45 s"),
    ("commune polygons handed to the arcs as they are built (`topo_build_taking`, freed memory "
     "given back) and the report's scales one after the other (national peak RSS, KiB)",
     "252 000", "180 000"),
    ("merges and areas of `crd_finish` on the pool (harmonise, wall)", "0.093 s", "0.063 s"),
    ("GeoPackage, FlatGeobuf and Shapefile also traced from the arcs' points in WGS84 "
     "(national, `--format geojson,gpkg,fgb,shp`, write maps wall, 2 runs each)", "3.07 s",
     "1.29 s"),
    # Session 4. Each pair: the two binaries run alternately in one invocation, medians of 5
    # to 9 (national job, wall / CPU unless said); the machine ran about 6 % slower than on the
    # day of the table above, so compare within a row.
    ("hash tables that are probed before they are written zeroed by writing (`xzeroed`: "
     "calloc's shared zero page faulted twice, the second time flushing the other core's TLB "
     "by an interrupt; 0.08 s of the tables' reading went to `smap_put` alone)",
     "1.67 s / 2.83 s, 118 500 faults", "1.52 s / 2.62 s, 103 000 faults"),
    ("report's territories, traced from arcs that `topo_simplify` checked, skip "
     "`GEOSisValid_r` (valid by construction once no two arcs cross)", "1.64 s / 2.77 s",
     "1.55 s / 2.65 s"),
    ("simplification rounds after the first: only the arcs near a changed one are walked, "
     "on a grid from the exact arcs' extent, instead of a grid of every segment per round "
     "(report's two scales; one round)", "6 to 30 ms", "2 to 11 ms"),
    ("the same, whole job", "1.54 s / 2.58 s", "1.44 s / 2.42 s"),
    ("arcs' points to WGS84 beside their build, each distinct vertex once, on the core the "
     "build left idle (the edges freed once the nodes are found, so the peak stays under "
     "200 MB)", "1.42 s", "1.36 s"),
    ("the same, each chunk of vertices published as the build finds them, so the projection "
     "starts with the vertex phase (topology stage, wall)", "0.47 to 0.52 s", "0.44 to 0.49 s"),
    ("a layer's checks go on while the next sources are read (tables and polygons, wall)",
     "0.445 s", "0.425 s"),
    ("polygons from OGR to GEOS by copying their points (`GEOSCoordSeq_copyFromBuffer_r`) "
     "instead of through WKB (conversion, CPU)", "0.063 s", "0.032 s"),
    ("`crd_finish`: planar area and extent measured once, slices of 2048 communes (harmonise, "
     "wall)", "0.070 s", "0.058 s"),
    ("tracing: a group of more than 16 communes in a hash set instead of a binary search per "
     "arc", "1.43 s / 2.54 s", "1.37 s / 2.44 s"),
    ("exact arcs proved clash-free once (arcs with a commune in common passed over whole, "
     "bands on the pool: 0.05 s), so the dissolves and zones skip `GEOSisValid_r`; the "
     "report's simplification started as soon as the arcs are built (dissolves wall 0.26 -> "
     "0.07 s)", "1.45 s / 2.55 s", "1.39 s / 2.44 s"),
    ("the report's 20 maps drawn as tasks of the pool (the report's wait after the maps, "
     "4 runs each)", "0.07 to 0.15 s", "0.02 to 0.06 s"),
    ("the report's simplifications keep only the arcs its maps can draw: none between two "
     "communes of the same department, region and CPTS memberships (`topo_simplify_classes`: "
     "26 934 of 104 096 arcs, 1 179 pieces checked instead of 34 868 communes)",
     "1.46 s / 2.68 s", "1.40 s / 2.56 s"),
    ("GeoJSON coordinates written straight into the output buffer, by a `put_fixed` inlined "
     "with its 6 decimals a constant", "1.40 s / 2.56 s", "1.37 s / 2.51 s"),
    ("the arcs' edges looked up in a list per lower vertex, not a table keyed by a hash "
     "(whole job wall / CPU / peak)", "1.44 s / 2.61 s / 182.5 MB",
     "1.40 s / 2.55 s / 179.0 MB"),
    ("tables: a row's cells are the feature's own strings, not copies; strmap compares a "
     "slot's hash before its key (whole job CPU)", "2.55 s", "2.51 s"),
    ("the arcs' rings copied on the pool, each commune's points in places counted "
     "beforehand (topology stage, wall, medians of 6)", "0.459 s", "0.426 s"),
    ("dissolves from proved arcs only traced, their area checked on the outline: no GEOS "
     "polygon made for territories the writers trace again anyway (CPU / page faults)",
     "2.24 s / 107 700", "2.22 s / 103 000"),
    ("SVG paths formatted into a buffer instead of `fprintf` per number; a map frame's CRS "
     "made once, not once per layer (CPU)", "2.19 s", "2.14 s"),
    ("a layer's features read before its CRS is set up, so the checkers start while PROJ "
     "looks the CRS up (whole job wall)", "1.19 s", "1.16 s"),
    ("each vertex's point kept once, the rings' copies freed as soon as every point has its "
     "vertex, so that the edges' tables reuse their memory (whole job wall / page faults / "
     "peak, medians of 5, on a day of slow page faults)", "2.79 s / 104 000 / 185.5 MB",
     "2.34 s / 66 100 / 181.1 MB"),
    ("jemalloc in transparent huge pages with one arena (`malloc_conf` "
     "`thp:always,narenas:1`; wall / CPU / kernel CPU / page faults / peak, medians of 5)",
     "2.78 s / 4.84 s / 1.11 s / 107 000 / 178.5 MB",
     "2.00 s / 3.62 s / 0.70 s / 12 400 / 192.3 MB"),
    ("GDAL's drivers registered as needed (Shapefile and CSV at start) instead of "
     "`GDALAllRegister` (wall / peak, medians of 7)", "1.87 s / 193.4 MB", "1.77 s / 188.3 MB"),
    ("tried and dropped: the vertex table's slot fetched 8 points ahead "
     "(`__builtin_prefetch`; national build in test_topology, 3 runs each)", "0.23 to 0.25 s",
     "0.24 to 0.27 s"),
    ("tried and dropped: `put_fixed` two digits at a time, rounding without libm (maps "
     "stage, 5 runs each)", "0.181 to 0.205 s", "0.184 to 0.220 s"),
    ("tried and dropped: the communes' GeoJSON in two pieces written by two tasks, then "
     "appended (whole job wall / CPU, medians of 15)", "1.35 s / 2.48 s", "1.34 s / 2.51 s"),
    ("tried and dropped: jemalloc `narenas:2,dirty_decay_ms:-1` (wall / page faults / peak, "
     "medians of 15)", "1.23 s / 103 100 / 180.6 MB", "1.22 s / 76 100 / 186.9 MB"),
    ("tried and dropped: the vertices hashed in 2 or 4 parts on the pool (the build's vertex "
     "phase, wall)", "0.094 s", "0.095 to 0.11 s"),
    ("tried and dropped: huge pages (`MADV_HUGEPAGE`) for the build's arrays (topology, "
     "wall); jemalloc `thp:always` cut the faults to 18 000 but the peak to 209-223 MB "
     "(adopted since, above, with one arena, once the copies of the rings went early and "
     "GDAL's drivers were registered as needed)", "0.245 s", "0.35 to 0.46 s"),
    ("tried and dropped: huge pages (`MADV_HUGEPAGE`) for the program's own arrays of 4 MB "
     "and more only, jemalloc as before (whole job wall / faults / peak, medians of 7)",
     "3.12 s / 94 000 / 185.6 MB", "2.46 s / 49 900 / 191.3 MB (thp:always: 2.07 s)"),
    ("tried and dropped: the rings' points taken straight to the vertex table, commune by "
     "commune, without the copies (wall / peak, medians of 5)", "2.12 s / 195.1 MB",
     "1.93 s / 215.2 MB"),
    ("tried and dropped: the arcs' building tables not given back once built, for the "
     "later stages to reuse (whole job wall / page faults / peak, medians of 9)",
     "1.83 s / 12 300 / 185.4 MB", "1.87 s / 11 700 / 186.9 MB"),
    ("tried and dropped: jemalloc never giving memory back on its own (`dirty_decay_ms:-1`; "
     "wall / peak, medians of 5)", "1.83 s / 188.4 MB", "1.68 s / 225.3 MB"),
    ("tried and dropped: the first round of a simplification's check band by band on the "
     "pool (whole job CPU / peak RSS)", "2.51 s / 191 MB", "2.47 s / 201 MB"),
    ("tried and dropped: the report's two scales simplified at once (whole job wall / peak "
     "RSS)", "1.36 s / 195 MB", "1.36 s / 219 MB"),
    # Session 7, the AMD machine of session 6. Each pair: the two binaries run alternately in
    # one invocation, medians of 5 to 9; peaks the largest of the runs, MB of 10^6 bytes.
    ("the arcs' build keeps the memory its tables free for its next tables (`mem_hold`: "
     "jemalloc's timer gave it back, and the kernel zeroed the next table's pages afresh), "
     "and allocations of 8 MB and more stay in the one arena (`oversize_threshold:0`: its "
     "own arena gave them back at once); wall / CPU / huge-page faults / peak",
     "1.50 s / 2.70 s / 196 / 194.7 MB", "1.39 s / 2.49 s / 148 / 195.6 MB"),
    ("a ring's vertex-table slots computed and fetched (`__builtin_prefetch`) before any of "
     "its points is looked up, so that its cache misses overlap (the build's vertex pass; "
     "unlike the dropped fetch 8 points ahead, below)", "0.176 s", "0.095 s"),
    ("`put_fixed` writes the decimals two at a time from a table of digit pairs, libm's "
     "`round` kept (24.6 -> 20.5 ns a number; maps stage CPU)", "0.573 s", "0.528 s"),
    ("a simplification's points one arc after the other, only the arcs its classes keep "
     "placed (an arc brought back placed after them), where each arc at its place in the "
     "exact arcs touched nearly every page (the report's scales; wall / CPU / huge-page "
     "faults / peak)", "1.45 s / 2.60 s / 151 / 195.3 MB", "1.35 s / 2.45 s / 134 / 194.0 MB"),
    ("the proof's band segments given their room once, and the communes, their code index "
     "and the passage table sized from the records `tbl_open` counts, where doubling copied "
     "them (CPU / page faults, then page faults / peak)", "2.76 s / 12 117; 11 102 / 193.0 MB",
     "2.59 s / 10 888; 10 256 / 191.5 MB"),
    ("tried and dropped: the input polygons in a jemalloc arena of their own (read-ahead "
     "and checker threads), the build's tables taken from it once the polygons are freed "
     "(wall / huge-page faults / peak, 2 runs)", "1.66 to 1.78 s / 135 to 140 / 188.9 MB",
     "1.47 to 1.54 s / 164 to 187 / 288.5 MB"),
    ("tried and dropped: the rings taken from each GEOS polygon straight into the vertex "
     "table (no ring copies), the polygon freed at once, its memory given back every 4 096, "
     "8 000 or 12 000 communes, or once at the end (wall / peak)", "1.38 to 1.39 s / 194.0 MB",
     "1.50 to 1.61 s / 184.1 to 195.3 MB; once: 1.28 s / 207.7 MB"),
    ("tried and dropped: a traced ring's area and extent computed where its points are "
     "instead of on a copy (maps stage CPU, medians of 9)", "0.381 s", "0.378 s"),
    ("tried and dropped: the memory kept through the proof of the exact arcs too "
     "(huge-page faults / peak, 2 runs)", "135 to 142 / 189.2 MB",
     "132 / 195.4 MB"),
    # Session 8, the same AMD machine. Same method: two binaries alternately in one
    # invocation, medians; the whole job's wall and CPU moved by more than these gains from
    # run to run, so the figure that decides is the one the change acts on.
    ("the arcs' points in WGS84 gathered into the room of the vertices' own points, done "
     "with by then, instead of 20 MB of fresh pages (huge-page faults / CPU, medians of 7)",
     "129 / 2.88 s", "121 / 2.83 s"),
    ("a map writer copies the layers' transformations from PROJ when it first needs them: "
     "the GeoJSON stream of traced territories never does (five maps, six layers: 30 copies "
     "of 0.4 ms each, most of it in PROJ's database; maps stage CPU, medians of 9)",
     "0.559 s", "0.544 s"),
    ("which layer is drawn as it is in which frame of the report's SVG maps found once per "
     "report (`svgm_crs`, shared by the maps drawn on the pool), not by each of its 20 maps "
     "(openings of PROJ's database 95 -> 49; the report's maps drawn, wall, medians of 6)",
     "83 ms", "42 ms"),
    ("a commune of one ring that passes each of its nodes once is its uses in the order "
     "the build cut its ring, started at its smallest vertex, without tracing (no sort, no "
     "walk); its area computed only when asked, which the communes map never does (maps "
     "stage CPU, medians of 9)", "0.499 s", "0.433 s"),
    ("what the arcs' build holds and no longer needs given back before the arcs' last "
     "points are changed to WGS84, not after (peak RSS, largest of 7 runs; wall and CPU "
     "unchanged)", "187.1 MB", "180.0 MB"),
    ("tried and dropped: tracing reads a per-use array of the other side's commune and a "
     "per-commune array of layers instead of the arcs and the communes, and a large group's "
     "hash set is made once for its six layers (tracing's share of the job's CPU samples, "
     "2 perf runs each: unchanged; its cost is the arcs of the boundary uses, which it "
     "must read)", "3.1 to 3.6 %", "3.3 to 3.9 %"),
    ("tried and dropped: the freed input polygons' memory kept for the build's tables "
     "instead of given back (huge-page faults / peak, medians of 7): the memory of 35 000 "
     "GEOS polygons, freed, is scattered and no table of 5 to 35 MB fits in it",
     "121 / 187.7 MB", "119 / 248.6 MB"),
    # Session 9. Instructions counted by callgrind (valgrind --tool=callgrind) on the
    # national job with the metropolitan layer only and --threads 1: the same count from run
    # to run whatever the machine does, so a gain of 1 % is seen that the wall times, which
    # moved by 20 % between runs that day, cannot show.
    ("the tables' rows parsed by GDAL's own CSV parser (`CSVReadParseLine3L`, the driver's "
     "settings and separator) from the file read once into memory, without an OGR feature a "
     "row; the pass for lines and quotes over the bytes in memory, runs of plain bytes "
     "skipped (instructions of the job; the tables' stage, wall, medians of 9, three "
     "invocations)", "11.52 G; 0.42 to 0.46 s", "11.00 G; 0.17 to 0.33 s"),
    ("the polygon layers read without the fields nobody uses (`OGR_L_SetIgnoredFields`: 14 "
     "of the 16 of ADMIN EXPRESS; instructions)", "11.07 G", "10.96 G"),
    ("the keys of the maps of entries seen twice written without `snprintf` (`str_int_key`, "
     "60 000 calls of 1 300 instructions), and the membership reader's list of a commune's "
     "listings written only for the message that says it (27 500 calls more; instructions)",
     "10.96 G", "10.74 G"),
    ("GeoJSON numbers rounded without libm's `round()` (exact below 2^52: x minus its "
     "truncation) and their decimals written with 32-bit divisions (`put_points`, "
     "instructions)", "840 M", "690 M"),
    ("a territory's boundary uses sorted by a quicksort of the tracing's own, the comparison "
     "inlined, instead of `qsort` and a call per comparison (instructions of the sort)",
     "148 M", "59 M"),
    ("the grid tests of the arcs' proof and simplification order coordinates with inlined "
     "comparisons instead of libm's `fmin` and `fmax` (calls that must order NaNs: 10 "
     "million; instructions of the job)", "10.47 G", "10.36 G"),
    ("a coordinate's six decimals written as three digit pairs with two divisions instead of "
     "a loop of three (`put_points`, instructions)", "690 M", "585 M"),
    ("`crd_finish` one task a worker taking slices in turn: one PROJ context and one copy of "
     "each transformation a worker, not a slice (PROJ contexts + copies a job)", "17 + 34",
     "2 + 4"),
    ("tried and dropped: each arc point in WGS84 formatted once for the five GeoJSON maps "
     "(a border is written for both its communes, then in the CPTS, departments, regions; "
     "-221 M instructions) but 29 MB of text, +13 huge-page faults, +14 MB at the peak: maps "
     "stage wall, medians of 11", "0.176 s", "0.186 s"),
    ("tried and dropped: the transformation to WGS84 asked of PROJ for the CRS's area of use, "
     "so that one operation is kept instead of a choice per point (instructions of PROJ's "
     "1.2 million points: the choice was not what costs)", "1.82 G", "1.82 G"),
    ("tried and dropped: libc, libm and libstdc++ first in the executable's libraries, so "
     "that the loader finds most symbols at once (the loader's relocation time, cycles, "
     "5 runs each: the cost is the relocations, not the search)", "12.4 to 18.6 M",
     "16.5 to 19.1 M"),
    # Session 10. Instructions as in session 9 (callgrind); times of two binaries run
    # alternately in one invocation, medians, the output directory removed before each run
    # as make bench does.
    ("a polygon of one ring and no hole (99.5 % of the communes) held valid when a sweep of "
     "its segments sorted by x finds no two that meet but neighbours at their common point "
     "(`seg_ring_simple`, GEOS's orientation predicate), instead of `GEOSisValid_r`'s "
     "general noder; GEOS still judges every other polygon (instructions; whole job wall / "
     "CPU, medians of 7)", "10.22 G; 1.77 s / 3.21 s", "8.58 G; 1.52 s / 2.63 s"),
    ("the polygon sources read by as many readers as cores, each taking the next source: "
     "GDAL's look-up of each overseas layer's `.prj` in PROJ's database (25 ms each) no "
     "longer runs alone after the metropolitan layer (the two reading stages, wall, medians "
     "of 9; whole job, medians of 11)", "0.313 s; 1.40 s", "0.301 s; 1.24 s"),
    ("a traced ring's points copied a use at a time (`memcpy` forwards, one loop backwards) "
     "instead of finding each point's place again (`outl_copy`, instructions)", "193 M",
     "99 M"),
    ("the arcs' points through the projection's inverse alone and PROJ's own factor to "
     "degrees where PROJ's pipeline is only that (Lambert-93, the overseas UTM zones): the "
     "same doubles, a pipeline's steps less (`crs_to_wgs84`; instructions of the points' "
     "change)", "1.82 G", "1.42 G"),
    ("the arcs' vertex table made for half the points (a border is two rings' points) and "
     "doubled when they are more distinct: 8 MB of fresh pages zeroed instead of 17 while "
     "the other core waits (topology stage, wall, medians of 11)", "0.452 s", "0.417 s"),
    ("the string maps' keys copied into blocks of the map's own, never freed one by one "
     "(420 000 keys; the job's teardown after its timings, 5 runs)", "8 to 16 ms",
     "3 to 7 ms"),
    ("a table's cells checked for UTF-8 only when the whole file, checked once in memory, "
     "is not (cells are cut at ASCII bytes; `CPLIsUTF8` calls a job / their instructions)",
     "604 660 / 54 M", "4 / 35 M"),
    ("tried and dropped: the arcs' vertex table zeroed by both workers instead of the "
     "build's thread alone (topology stage, wall, medians of 11: two threads faulting fresh "
     "pages on this virtual machine are slower than one)", "0.500 s", "0.584 s"),
    ("tried and dropped: no memory given back during the job (the three `mem_release`): "
     "each one splits about 50 huge pages whose parts are then faulted back 4 KB at a time "
     "(10 000 to 13 000 page faults against 4 000 to 5 000); whole job wall / CPU / peak, "
     "medians of 11, but the peak is over the 200 MB target",
     "1.17 s / 2.05 s / 176 MB", "1.02 s / 1.82 s / 250 MB"),
    ("tried and dropped: the two later `mem_release` left out, the first kept (wall / CPU, "
     "medians of 15; peak, largest)", "1.05 s / 1.88 s / 175.5 MB",
     "1.09 s / 1.91 s / 187.9 MB"),
    ("tried and dropped: the input polygons in a jemalloc arena of their own (readers and "
     "checkers), the build's tables then taken from it (huge pages split by the purges / "
     "peak, 2 runs each): its freed memory does not take the tables", "48 to 51 / 180 MB",
     "53 to 54 / 269 to 282 MB"),
    ("tried and dropped: jemalloc's huge-page allocator (`hpa:true`; page faults / wall, 2 "
     "runs each)", "9 500 to 13 000 / 1.03 to 1.21 s", "30 000 to 31 700 / 1.31 to 1.35 s"),
    ("a polygon of one closed ring and no hole kept as its ring as read (`commune.ring`, "
     "16 bytes a point in blocks freed together) instead of a GEOS polygon (24 bytes a point "
     "and its objects) until the arcs copy it; GEOS polygons made from a ring only where "
     "GEOS is asked (whole job wall / CPU / peak, medians of 15 side by side; page faults)",
     "0.94 s / 1.74 s / 179 MB; 10 500 to 12 800", "0.84 s / 1.54 s / 167 MB; 7 400 to 9 100"),
    ("tried and dropped: the rings taken by the arcs where they are instead of copied: their "
     "4 MB blocks, freed after the vertices are found, cannot hold the build's larger tables, "
     "which take fresh memory (wall / CPU / peak, medians of 9; 64 MB blocks: 218 MB)",
     "0.77 s / 1.41 s / 165 MB", "0.84 s / 1.56 s / 206 MB"),
    ("tried and dropped: with the rings, no memory given back during the job (the three "
     "`mem_release`; wall / CPU / peak, medians of 7): no longer faster, over 200 MB",
     "0.83 s / 1.48 s / 165 MB", "0.84 s / 1.54 s / 203 MB"),
]

PEERS = [
    ("geopandas", "GeoPandas peer (bench/peer_geopandas.py)"),
    ("mapshaper", "mapshaper, closest full equivalent (bench/peer_mapshaper.sh full)"),
    ("mapshaper-dissolve", "mapshaper, dissolve into departments alone"),
]


def read(path, default=None):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return default


class Job:
    """The measured runs of one job (warm-up rounds left out)."""

    def __init__(self, runs_dir, name, nruns):
        self.name = name
        self.runs = {}       # round -> (wall s, cpu s, rss KiB)
        self.failed = []     # rounds that exited non-zero
        self.stopped = []    # rounds stopped by the time limit
        for r in range(1, nruns + 1):
            base = os.path.join(runs_dir, "%s.%d" % (name, r))
            rc = read(base + ".rc")
            if rc is None:
                continue
            rc = int(rc.strip() or 1)
            if rc == 124 and "Command exited with non-zero status 124" in (read(base + ".time") or ""):
                self.stopped.append(r)
                continue
            if rc != 0:
                self.failed.append(r)
                continue
            wall = int(read(base + ".wall").strip()) / 1e6
            fields = read(base + ".time").strip().splitlines()[-1].split()
            cpu = float(fields[1]) + float(fields[2])
            self.runs[r] = (wall, cpu, int(fields[3]), others_cores(base, cpu, wall))

    def ok(self):
        return bool(self.runs)

    def values(self, i):
        return [v[i] for v in self.runs.values()]

    def wall(self):
        return statistics.median(self.values(0))

    def rss_mb(self):
        return max(self.values(2)) * 1024 / MB


def others_cores(base, cpu, wall):
    """Cores kept busy by other processes during one run: the machine's busy CPU time over the
    run (/proc/stat before and after) less the run's own, over its wall time."""
    try:
        a = [int(x) for x in read(base + ".stat0").split()[1:9]]
        b = [int(x) for x in read(base + ".stat1").split()[1:9]]
    except (AttributeError, ValueError):
        return None
    d = [(y - x) / os.sysconf("SC_CLK_TCK") for x, y in zip(a, b)]
    busy = d[0] + d[1] + d[2] + d[5] + d[6]
    return max(busy - cpu, 0.0) / wall if wall > 0 else None


def others_cell(job):
    vals = [v for v in job.values(3) if v is not None]
    if not vals:
        return "?"
    return "%.2f (%.2f–%.2f)" % (statistics.median(vals), min(vals), max(vals))


def stat(values, fmt):
    if not values:
        return "–", "–", "–"
    return (fmt % statistics.median(values), fmt % min(values), fmt % max(values))


def job_row(label, job, note=""):
    if not job.ok():
        what = "not measured"
        if job.stopped:
            what = "stopped by the time limit in %d run(s)" % len(job.stopped)
        if job.failed:
            what = "FAILED in %d run(s)" % len(job.failed)
        return "| %s | %s | | | | | | | |" % (label, what)
    w = stat(job.values(0), "%.3f")
    c = stat(job.values(1), "%.2f")
    rss = [v * 1024 / MB for v in job.values(2)]
    extra = ""
    if job.failed:
        extra = " (%d run(s) FAILED)" % len(job.failed)
    return "| %s%s%s | %s | %s | %s | %s | %s | %.1f | %s | %d |" % (
        label, note, extra, w[0], w[1], w[2], c[0], c[1] + "–" + c[2], max(rss),
        others_cell(job), len(job.runs))


def met(ok):
    return "**met**" if ok else "**not met**"


def count_features(path):
    try:
        with open(path, "rb") as f:
            return len(re.findall(rb'"type"\s*:\s*"Feature"', f.read()))
    except OSError:
        return None


def covered_population(tool, out):
    """The national covered population as each tool wrote it, to check they did the same job."""
    try:
        if tool == "cptscov":
            with open(os.path.join(out, "summary.json"), encoding="utf-8") as f:
                return json.load(f)["national"]["covered_population"]
        path = os.path.join(out, "coverage_regions.csv")
        with open(path, encoding="utf-8") as f:
            head = f.readline().strip().split(",")
            col = head.index("covered_population" if tool == "geopandas" else "PCOV")
            return sum(int(float(line.split(",")[col] or 0)) for line in f if line.strip())
    except (OSError, ValueError, KeyError, IndexError):
        return None


def other_load(runs_dir, meta):
    """What else the machine did during the runs: CPU time not spent by the benchmark's jobs."""
    text = "load average %s at the start, %s at the end" % (meta.get("loadavg_start", "?"),
                                                           meta.get("loadavg_end", "?"))
    if meta.get("idle_wait", "0") != "0":
        text += ("; before each round the benchmark waited (%s s at most) for other processes "
                 "to use less than 0.2 core: %s s of waiting in all"
                 % (meta.get("idle_wait"), meta.get("idle_waited", "?")))
    try:
        a = [int(x) for x in meta["stat_start"].split()[1:9]]
        b = [int(x) for x in meta["stat_end"].split()[1:9]]
        tick = os.sysconf("SC_CLK_TCK")
        d = [(y - x) / tick for x, y in zip(a, b)]  # user nice system idle iowait irq softirq steal
        busy = d[0] + d[1] + d[2] + d[5] + d[6]
        own = 0.0
        for f in os.listdir(runs_dir):
            if f.endswith(".time"):
                last = (read(os.path.join(runs_dir, f)) or "").strip().splitlines()
                if last:
                    fields = last[-1].split()
                    own += float(fields[1]) + float(fields[2])
        wall = float(meta.get("elapsed_s", "0")) or 1.0
        others = max(busy - own, 0.0)
        text += ("; during the rounds the CPUs were busy %.0f s, %.0f s of it in the measured "
                 "jobs, so about %.0f s (%.2f cores on average over %.0f s) in other processes "
                 "(the benchmark's own shell, the OS, anything else running); steal %.1f s"
                 % (busy, own, others, others / wall, wall, d[7]))
        if others / wall > 0.25:
            text += (". **Other processes used a noticeable share of the machine: timings may "
                     "be inflated; rerun on an idle machine to quote them**")
    except (KeyError, ValueError, IndexError):
        pass
    return text


def stages(runs_dir, nruns):
    """Each --timings stage over the measured national runs, in their order:
    (name, walls, cpus, peaks). Reads "<stage> <wall> s", then, when cptscov prints them,
    "<cpu> s cpu" and "<MB> MB peak" anywhere after it (the form has grown over time)."""
    order, seen = [], {}
    pat = re.compile(r"^cptscov: timing: (.*?)\s+([0-9.]+) s\b(.*)$")
    cpu_pat = re.compile(r"([0-9.]+) s cpu")
    peak_pat = re.compile(r"([0-9.]+) MB peak")
    for r in range(1, nruns + 1):
        if read(os.path.join(runs_dir, "cptscov.%d.rc" % r), "1").strip() != "0":
            continue
        for line in read(os.path.join(runs_dir, "cptscov.%d.err" % r), "").splitlines():
            m = pat.match(line)
            if not m:
                continue
            name = m.group(1).strip()
            if name not in seen:
                seen[name] = ([], [], [])
                order.append(name)
            seen[name][0].append(float(m.group(2)))
            for i, p in ((1, cpu_pat), (2, peak_pat)):
                x = p.search(m.group(3))
                if x:
                    seen[name][i].append(float(x.group(1)))
    return [(n,) + seen[n] for n in order]


def main():
    work, results = sys.argv[1], sys.argv[2]
    runs_dir = os.path.join(work, "runs")
    meta = dict(line.split("=", 1) for line in read(os.path.join(runs_dir, "meta.txt"), "")
                .splitlines() if "=" in line)
    nruns = int(meta.get("runs", "5"))
    sizes = [int(s) for s in meta.get("sizes", "").split()]
    peers_on = meta.get("peers", "1") == "1"
    L = []
    add = L.append

    add("# cptscov benchmark")
    add("")
    add("Written by `make bench` (scripts/bench, bench/report.py) on %s; only the latest results "
        "are kept. %s measured run(s) of each job after %s warm-up round(s), interleaved round by "
        "round (cptscov, GeoPandas, mapshaper, mapshaper dissolve, synthetic sizes, then again), "
        "all in this one invocation. Wall time: nanosecond clock around each run (median of the "
        "runs); CPU: user + sys from `/usr/bin/time`; peak RSS: `/usr/bin/time` %%M, the largest "
        "over the runs, in MB of 10^6 bytes. The whole benchmark took %s s."
        % (meta.get("date", "?"), nruns, meta.get("warmup", "?"), meta.get("elapsed_s", "?")))
    if meta.get("quick") == "1":
        add("")
        add("**Quick (smoke) mode**: one run, no warm-up, fewer sizes; the GeoPandas peer is "
            "stopped after %s s. Not figures to quote." % meta.get("gp_timeout"))
    add("")
    add("## Machine and versions")
    add("")
    mem = int(meta.get("mem_kib", "0") or 0) / 1024 / 1024
    add("- machine: %s cores (`nproc`), %s, %.1f GiB of memory, %s"
        % (meta.get("nproc"), meta.get("cpu"), mem, meta.get("kernel")))
    add("- load: %s" % other_load(runs_dir, meta))
    add("- tree: %s (cptscov built from it at the start, and that binary used throughout)"
        % meta.get("commit"))
    add("- cptscov: %s" % meta.get("cptscov_version"))
    if peers_on:
        add("- GeoPandas peer: %s; %s" % (meta.get("geopandas_version"), meta.get("python_version")))
        add("- mapshaper peer: %s" % meta.get("mapshaper_version"))

    cp = Job(runs_dir, "cptscov", nruns)
    peers = {name: Job(runs_dir, name, nruns) for name, _ in PEERS} if peers_on else {}

    add("")
    add("## National job")
    add("")
    add("`cptscov run` on the six ADMIN EXPRESS 2018 shapefiles (FXX GLP MTQ GUF REU MYT, each "
        "in its own CRS), populations-2025.csv, passage-cog-2025.csv, epci-2025.csv and "
        "cpts-synthetic-national.csv, every output written, `--timings` on.")
    add("")
    add("*Others' load*: cores kept busy by other processes during the job's runs (median, "
        "min–max), from /proc/stat around each run less the run's own CPU time. Above a few "
        "tenths, the wall times of that job are inflated, a multi-threaded cptscov's most.")
    add("")
    add("| job | wall median (s) | wall min | wall max | CPU median (s) | CPU min–max | "
        "peak RSS (MB) | others' load (cores) | runs |")
    add("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    add(job_row("cptscov", cp))
    for name, label in PEERS:
        if name in peers:
            add(job_row(label, peers[name]))

    if peers:
        add("")
        add("### Peers against cptscov")
        add("")
        add("Ratio peer / cptscov (above 1: cptscov is faster or smaller). *Pairs*: the ratio of "
            "the two runs of the same round, then the median, min and max over the rounds.")
        add("")
        add("| peer | wall, of medians | wall, pairs median | pairs min–max | CPU, of medians | "
            "peak RSS |")
        add("|---|---:|---:|---:|---:|---:|")
        for name, label in PEERS:
            p = peers[name]
            if not (p.ok() and cp.ok()):
                if p.stopped and cp.ok():
                    add("| %s | ≥ %.1f (stopped after %s s) | | | | |" % (
                        label, float(meta.get("gp_timeout", 0)) / cp.wall(),
                        meta.get("gp_timeout")))
                else:
                    add("| %s | not measured | | | | |" % label)
                continue
            pairs = [p.runs[r][0] / cp.runs[r][0] for r in sorted(p.runs) if r in cp.runs]
            add("| %s | %.2f | %.2f | %.2f–%.2f | %.2f | %.2f |" % (
                label, p.wall() / cp.wall(), statistics.median(pairs), min(pairs), max(pairs),
                statistics.median(p.values(1)) / statistics.median(cp.values(1)),
                p.rss_mb() / cp.rss_mb()))

    add("")
    add("### Outputs (last run)")
    add("")
    tools = ["cptscov"] + [n for n, _ in PEERS if n in peers]
    files = set()
    for t in tools:
        d = os.path.join(work, "out", t)
        if os.path.isdir(d):
            files.update(f for f in os.listdir(d) if not f.startswith("."))
    add("Size in MB, and the number of features of each map. The peers write no join_issues.csv "
        "nor summary.json; mapshaper's dissolve alone writes departments.geojson only. "
        "uncovered.geojson: cptscov writes one feature per uncovered zone (communes connected "
        "by shared edges; a zone is a MultiPolygon when one of its communes has islands or "
        "exclaves), the peers one feature per polygon of the exploded dissolve, so more "
        "features for the same polygons.")
    add("")
    add("| file | " + " | ".join(tools) + " |")
    add("|---|" + "---:|" * len(tools))
    totals = dict.fromkeys(tools, 0)
    for f in sorted(files):
        cells = []
        for t in tools:
            p = os.path.join(work, "out", t, f)
            if os.path.isfile(p):
                size = os.path.getsize(p)
                totals[t] += size
                cell = "%.2f" % (size / MB)
                if f.endswith(".geojson"):
                    n = count_features(p)
                    cell += " (%s)" % ("{:,}".format(n) if n is not None else "?")
                cells.append(cell)
            else:
                cells.append("–")
        add("| %s | %s |" % (f, " | ".join(cells)))
    add("| **total** | %s |" % " | ".join("%.2f" % (totals[t] / MB) for t in tools))
    cov = []
    for t in tools:
        if t == "mapshaper-dissolve":
            continue
        v = covered_population(t, os.path.join(work, "out", t))
        cov.append("%s %s" % (t, "{:,}".format(v) if v is not None else "?"))
    add("")
    add("Covered population, as each wrote it (the same job should give the same figure): "
        + ", ".join(cov) + ".")

    add("")
    add("## Stages of cptscov (national job, `--timings`)")
    add("")
    st = stages(runs_dir, nruns)
    total = {n: w for n, w, _, _ in st}.get("total")
    if not st:
        add("No stage timings found in the runs' stderr (cptscov --timings).")
    else:
        add("Wall time of each stage as cptscov prints it (median, min, max over the runs), and, "
            "when cptscov prints them, its CPU time (median; above the wall time when the stage "
            "runs on several threads) and the peak memory reached by the end of the stage "
            "(largest over the runs, MB as cptscov prints it); share of the total wall time.")
        add("")
        add("| stage | wall median (s) | min | max | CPU median (s) | peak memory (MB) | "
            "share of total |")
        add("|---|---:|---:|---:|---:|---:|---:|")
    for name, walls, cpus, peaks in st:
        share = ""
        if total and name != "total":
            share = "%.1f %%" % (100 * statistics.median(walls) / statistics.median(total))
        m, lo, hi = stat(walls, "%.3f")
        cpu = "%.3f" % statistics.median(cpus) if cpus else "–"
        peak = "%.1f" % max(peaks) if peaks else "–"
        add("| %s | %s | %s | %s | %s | %s | %s |" % (name, m, lo, hi, cpu, peak, share))

    add("")
    add("## Scaling (synthetic countries of scripts/make-synthetic)")
    add("")
    add("Jittered grids of square-ish communes sharing their vertices exactly (an exact "
        "coverage, 36 vertices each), departments of 1000 communes, CPTS of 50 adjacent "
        "communes (70 % signed, 15 % in project), one shapefile in Lambert-93, no passage "
        "table. `cptscov run` with every output written.")
    add("")
    add("| communes | wall median (s) | min | max | µs per commune | CPU median (s) | "
        "peak RSS (MB) | RSS per commune (KB) | others' load (cores) |")
    add("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    per = {}
    for n in sizes:
        j = Job(runs_dir, "synthetic-%d" % n, nruns)
        if not j.ok():
            add("| {:,} | FAILED | | | | | | | |".format(n))
            continue
        w = stat(j.values(0), "%.3f")
        per[n] = j.wall() / n
        add("| {:,} | {} | {} | {} | {:.1f} | {:.2f} | {:.1f} | {:.2f} | {} |".format(
            n, w[0], w[1], w[2], per[n] * 1e6, statistics.median(j.values(1)), j.rss_mb(),
            j.rss_mb() * 1000 / n, others_cell(j)))
    scaling = None
    if len(per) >= 2:
        lo, hi = min(per), max(per)
        scaling = per[hi] / per[lo]
        add("")
        add("Time per commune, {:,} against {:,}: **{:.2f}×**.".format(hi, lo, scaling))
    add("")
    add("")
    add("The synthetic countries run with `--free-codes`: beyond 100,000 communes INSEE's "
        "5-character codes run out, so the generator gives six-character codes to the "
        "million, and every size takes the same path.")

    add("")
    add("## Targets")
    add("")
    if cp.ok():
        add("- national job wall ≤ %.1f s: %.3f s (median; fastest run %.3f s) — %s" % (
            TARGET_WALL_S, cp.wall(), min(cp.values(0)), met(cp.wall() <= TARGET_WALL_S)))
        mib = cp.rss_mb() * MB / 1048576
        add("- national job peak RSS ≤ %.0f MB: %.1f MB = %.1f MiB (the largest of the runs) — %s"
            "%s" % (TARGET_RSS_MB, cp.rss_mb(), mib, met(cp.rss_mb() <= TARGET_RSS_MB),
                    " (judged in MB of 10^6 bytes; it would be met if the target meant MiB)"
                    if cp.rss_mb() > TARGET_RSS_MB and mib <= TARGET_RSS_MB else ""))
    else:
        add("- national job wall ≤ %.1f s: the job FAILED — **not met**" % TARGET_WALL_S)
        add("- national job peak RSS ≤ %.0f MB: the job FAILED — **not met**" % TARGET_RSS_MB)
    gp = peers.get("geopandas")
    if gp is None:
        add("- ≥ %.0f× faster than GeoPandas: peers not run — not measured" % TARGET_GEOPANDAS_RATIO)
    elif gp.ok() and cp.ok():
        r = gp.wall() / cp.wall()
        add("- ≥ %.0f× faster than GeoPandas: %.1f× (ratio of medians) — %s" % (
            TARGET_GEOPANDAS_RATIO, r, met(r >= TARGET_GEOPANDAS_RATIO)))
    elif gp.stopped and cp.ok():
        r = float(meta.get("gp_timeout", 0)) / cp.wall()
        add("- ≥ %.0f× faster than GeoPandas: ≥ %.1f× (GeoPandas stopped after %s s) — %s" % (
            TARGET_GEOPANDAS_RATIO, r, meta.get("gp_timeout"),
            met(True) if r >= TARGET_GEOPANDAS_RATIO else "not measured"))
    else:
        add("- ≥ %.0f× faster than GeoPandas: not measured (a job failed) — **not met**"
            % TARGET_GEOPANDAS_RATIO)
    md = peers.get("mapshaper-dissolve")
    if md is None:
        add("- faster than mapshaper's dissolve alone: peers not run — not measured")
    elif md.ok() and cp.ok():
        add("- faster than mapshaper's dissolve alone: cptscov %.3f s, mapshaper dissolve %.3f s "
            "(medians) — %s" % (cp.wall(), md.wall(), met(cp.wall() < md.wall())))
    else:
        add("- faster than mapshaper's dissolve alone: not measured (a job failed) — **not met**")
    if scaling is not None:
        hi, lo = max(per), min(per)
        add("- time per commune at {:,} within %.1f× of {:,}: {:.2f}× — %s".format(hi, lo, scaling)
            % (TARGET_SCALING_RATIO, met(scaling <= TARGET_SCALING_RATIO)))
    else:
        add("- time per commune at 1M within %.1f× of 10k: not measured — **not met**"
            % TARGET_SCALING_RATIO)

    add("")
    add("## Techniques, one by one")
    add("")
    add("Each measured side by side with what it replaced, on this machine, when it was "
        "introduced (CPU seconds of one process unless said; the commits say how). They are "
        "not re-measured by each `make bench`: the tables above are.")
    add("")
    add("| technique | before | after |")
    add("|---|---:|---:|")
    for row in TECHNIQUES:
        add("| %s | %s | %s |" % row)
    add("")
    add("## Figures behind the code")
    add("")
    add('Figures measured on the national job when the code they explain was written; the comments of the code keep the reason and point here for the numbers. Not re-measured by `make bench`.')
    add("")
    for item in CODE_FIGURES:
        add("- " + item)
    add("")
    add("## Where the time goes")
    add("")
    add("The stages table above is the account (a stage's CPU counts every thread running "
        "during it); the CPU of each part below is from `perf` on the national job, on the "
        "AMD EPYC virtual machine of 2026-12-06, session 11's tree. The job is 1.4 to 1.7 s "
        "of CPU on two cores both busy from start to end but for the 0.08 to 0.09 s before "
        "`main` (the dynamic loader binding GDAL's 117 libraries: 58 000 relocations), 10 to "
        "40 ms where the polygons, read, are joined to the table, the start of the arcs' "
        "build, and the end (the teardown and the libraries' exit handlers, 30 ms). Where "
        "the CPU goes: the program's own code 36 % (the sweep that tells a ring simple 6 %, "
        "the arcs' build 5 %, tracing territories for the maps and the checks 4 %, the "
        "maps' numbers 4 %), PROJ with libm 20 % (the inverse Lambert of 1.05 million "
        "vertices), the kernel 16 % (zeroing the huge pages the job is given 10 %, most of "
        "them fresh from the host, and copying the 67 MB of outputs into the page cache), "
        "GEOS 7 % (`GEOSCoverageUnion_r` for the 317 polygons of communes merged since 2018, "
        "GEOS's measures of each polygon, the polygons `seg_ring_simple` does not vouch "
        "for), libc 6 %, GDAL 4 % (its CSV parser and the shapefiles), PROJ's database 4 % "
        "(GDAL matching the six .prj files), jemalloc 4 %. Before session 11 the kernel was "
        "23 % (31 % in one run that morning): the input polygons were GEOS's, 60 MB more "
        "fresh memory.")
    add("")
    add("The same job counted in instructions (callgrind, metropolitan layer, `--threads 1`, "
        "2026-12-06: 8.01 G, against 10.22 G before the session-10 rows above and 11.52 G "
        "before session 9's): PROJ 18 % (1.42 G, the 1.2 million points of the arcs on this "
        "one-thread path), the maps 12 % (their numbers 0.59 G), the arcs' build 10 %, GDAL's "
        "CSV parser 8 % (0.55 G: 4 000 instructions a row of the tables), the rings' "
        "validity sweep 8 % (0.63 G, where `GEOSisValid_r` took 2.42 G), the shapefile read "
        "into GEOS 7 % (of which GDAL's look-up of the .prj in PROJ's database 0.14 G), the "
        "report's simplification 7 %, tracing 5 %, the proof of the exact arcs 5 %, "
        "`GEOSCoverageUnion_r` 4 %. Fewer instructions did not always give as much less "
        "time: the job's instructions fell by 21 % this session, its CPU by 13 % (2.70 to "
        "2.35 s side by side), the rest being memory, which costs the same.")
    add("")
    add("Why the same binary takes 1.3 s in one run and 1.8 s in the next: this virtual "
        "machine hands the guest's free memory back to its host (free page reporting, "
        "`page_reporting.page_reporting_order=11` on the kernel's command line: free blocks "
        "of 8 MB, about 2 s after they are freed), and memory the host took back costs a "
        "fault on the host when the guest uses it again. Measured with a 256 MB array: a "
        "2 MB huge page first touched costs 3.4 to 3.9 ms when the process before it freed "
        "its memory 3 s or more earlier, 0.13 to 0.43 ms within a second (the memset of the "
        "same memory once touched: 0.15 ms a huge page); 4 KB pages cost 5.5 ms per 2 MB in "
        "both runs of them. So the job pays up to 0.45 s of CPU for its memory, depending on what ran "
        "before it, and a run right after another is the fast case; the benchmark's rounds "
        "(each cptscov run after a peer's) are in between. Within a run, memory freed and "
        "soon reused is cheap; what costs is the high-water mark, which is why the memory "
        "of the arcs' build is reused (`mem_hold`) and the polygons' given back before it.")
    add("")
    add("What could still help, each a few hundredths: the polygons joined as they are "
        "checked rather than after the last (20 to 30 ms alone), the communes made of several "
        "polygons left to the arcs instead of `GEOSCoverageUnion_r` (4 % of the instructions, "
        "for 317 communes), the arcs' build spread over both cores (0.1 s on one core while "
        "the other changes points to WGS84, a third of which is then left for both). The "
        "input polygons are now rings as read (session 11): with them, giving no memory back "
        "is no longer faster (it was 1.02 s against 1.17 s when the polygons were GEOS's, "
        "freed scattered), so the memory given back before the build costs little now. The "
        "rest (PROJ, GDAL's CSV parser and .prj look-ups, loading the libraries) is the "
        "libraries' own work.")
    text = "\n".join(L) + "\n"
    os.makedirs(os.path.dirname(results) or ".", exist_ok=True)
    with open(results, "w", encoding="utf-8") as f:
        f.write(text)
    sys.stdout.write(text)
    sys.stdout.write("\nbench: results written to %s\n" % results)


if __name__ == "__main__":
    main()
