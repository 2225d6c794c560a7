#!/bin/sh
# peer_mapshaper.sh -- the mapshaper peer of the national benchmark (run by scripts/bench).
#   peer_mapshaper.sh MAPSHAPER dissolve|full OUTDIR GEODATA
# dissolve: the six commune layers, each projected from its own CRS to WGS84, merged and
#           dissolved into departments, written as GeoJSON: mapshaper's dissolve alone.
# full:     the closest equivalent of `cptscov run` that mapshaper's commands can express:
#           codes carried through the passage table (and merged communes dissolved), the
#           population joined, signed memberships counted (covered flag), every membership
#           dissolved into CPTS, departments, regions from departments, uncovered communes
#           dissolved and exploded into connected parts (their population from the inner
#           points of their communes); five GeoJSON maps and three CSV tables.
# What it cannot do the way cptscov does: dissolve each layer in its own CRS (mapshaper
# dissolves after projecting to WGS84), ellipsoidal areas, EPCI memberships (the national
# list has none), join-issue reporting, summary.json.
set -eu
ms=$1 mode=$2 out=$3 geo=$4
a=$geo/admin-express-cog-2018
# Separate -i per layer: with `-i ... combine-files` mapshaper gives every layer the first
# layer's CRS, which puts the overseas departments in the wrong place.
inputs=""
for t in FXX GLP MTQ GUF REU MYT; do
    inputs="$inputs -i $a/COMMUNE_$t.shp -proj wgs84"
done
mkdir -p "$out"
case $mode in
dissolve)
    # shellcheck disable=SC2086
    exec "$ms" -quiet $inputs -merge-layers target='*' force name=communes \
        -dissolve INSEE_DEP name=departments \
        -o "$out/departments.geojson" format=geojson precision=0.000001
    ;;
full)
    ins=$geo/insee
    # shellcheck disable=SC2086
    exec "$ms" -quiet $inputs -merge-layers target='*' force name=communes \
        -join "$ins/passage-cog-2025.csv" keys=INSEE_COM,CODGEO_INI fields=CODGEO_2025 \
            string-fields=CODGEO_INI,CODGEO_2025 \
        -dissolve CODGEO_2025 name=communes \
        -join "$ins/populations-2025.csv" keys=CODGEO_2025,COM fields=LIBCOM,DEP,REG,PMUN \
            string-fields=COM,DEP,REG,EPCI \
        -join "$geo/cpts/cpts-synthetic-national.csv" keys=CODGEO_2025,insee_com \
            where="status == 'signed'" calc='nsigned = count()' string-fields=insee_com \
        -each 'covered = nsigned > 0; PMUN = PMUN || 0; PCOV = covered ? PMUN : 0; delete nsigned' \
        -filter true + name=memberships \
        -join target=memberships "$geo/cpts/cpts-synthetic-national.csv" \
            keys=CODGEO_2025,insee_com duplication fields=cpts_id,cpts_name,status,signed_on \
            string-fields=insee_com \
        -filter target=memberships 'cpts_id != null' \
        -dissolve target=memberships cpts_id copy-fields=cpts_name,status,signed_on \
            sum-fields=PMUN,PCOV name=cpts \
        -dissolve target=communes DEP copy-fields=REG sum-fields=PMUN,PCOV + name=departments \
        -dissolve target=departments REG sum-fields=PMUN,PCOV + name=regions \
        -filter target=communes '!covered' + name=uncovered_communes \
        -points target=uncovered_communes inner + name=uncovered_points \
        -dissolve target=uncovered_communes name=uncovered \
        -explode target=uncovered \
        -join target=uncovered source=uncovered_points sum-fields=PMUN calc='communes = count()' \
        -o target=communes,cpts,departments,regions,uncovered "$out/" format=geojson \
            extension=.geojson precision=0.000001 \
        -o target=cpts "$out/coverage_cpts.csv" format=csv \
        -o target=departments "$out/coverage_departments.csv" format=csv \
        -o target=regions "$out/coverage_regions.csv" format=csv
    ;;
*)
    echo "usage: $0 MAPSHAPER dissolve|full OUTDIR GEODATA" >&2
    exit 2
    ;;
esac
