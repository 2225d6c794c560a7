#!/usr/bin/python3
"""peer_geopandas.py -- the GeoPandas peer of the national benchmark (run by scripts/bench).

    /usr/bin/python3 bench/peer_geopandas.py GEODATA OUTDIR

The same job as `cptscov run` on the national data, written the way a GeoPandas user would:
the six commune shapefiles read with gpd.read_file, their codes carried to the 2025 COG through
the passage table (polygons of merged communes dissolved into their current commune), the
population joined, the signed memberships giving the covered flag, then dissolves of the CPTS
(every membership), the departments, the regions (from the departments) and the uncovered
communes (exploded into connected parts, their population from the communes' representative
points). Each layer is dissolved in its own CRS, as cptscov does, then taken to WGS84. Written:
the five GeoJSON maps (RFC 7946, 6 decimals, through GDAL like cptscov) and the three coverage
tables (from the population table, so communes without polygon count, as in cptscov).

Not done, as cptscov does it: ellipsoidal areas (planar areas in each layer's projection here),
memberships given as EPCI:<SIREN> (the national list has none), join issues, summary.json.
Prints its own wall time on stderr.
"""
import os
import sys
import time

T0 = time.perf_counter()

import geopandas as gpd  # noqa: E402  (the imports are part of the job's time)
import pandas as pd  # noqa: E402

TERRITORIES = ["FXX", "GLP", "MTQ", "GUF", "REU", "MYT"]


def read_tables(geo):
    ins = os.path.join(geo, "insee")
    passage = pd.read_csv(os.path.join(ins, "passage-cog-2025.csv"), sep=";", dtype=str)
    to_2025 = dict(zip(passage["CODGEO_INI"], passage["CODGEO_2025"]))
    pop = pd.read_csv(os.path.join(ins, "populations-2025.csv"), sep=";", dtype=str,
                      keep_default_na=False)
    pop["PMUN"] = pd.to_numeric(pop["PMUN"].replace("", "0")).astype("int64")
    members = pd.read_csv(os.path.join(geo, "cpts", "cpts-synthetic-national.csv"), sep=";",
                          dtype=str, keep_default_na=False)
    members["code"] = members["insee_com"].map(to_2025).fillna(members["insee_com"])
    members = members[members["code"].isin(pop["COM"])]
    return to_2025, pop, members


def layer_maps(path, to_2025, pop, members, covered_codes, cpts_of):
    """The five maps of one territory, in WGS84."""
    raw = gpd.read_file(path)
    raw["code"] = raw["INSEE_COM"].map(to_2025).fillna(raw["INSEE_COM"])
    raw = raw[raw["code"].isin(pop["COM"])]
    communes = raw[["code", "geometry"]].dissolve(by="code").reset_index()
    communes = communes.merge(pop[["COM", "LIBCOM", "DEP", "REG", "PMUN"]], left_on="code",
                              right_on="COM").drop(columns="COM")
    communes["covered"] = communes["code"].isin(covered_codes)
    communes["PCOV"] = communes["PMUN"].where(communes["covered"], 0)
    communes["cpts"] = communes["code"].map(cpts_of).fillna("")
    communes["area_km2"] = (communes.geometry.area / 1e6).round(3)

    mem = communes[["code", "PMUN", "PCOV", "geometry"]].merge(
        members[["code", "cpts_id", "cpts_name", "status", "signed_on"]], on="code")
    cpts = mem.dissolve(by="cpts_id", aggfunc={"cpts_name": "first", "status": "first",
                                               "signed_on": "first", "code": "count",
                                               "PMUN": "sum", "PCOV": "sum"}).reset_index()
    cpts = cpts.rename(columns={"code": "communes"})
    cpts["area_km2"] = (cpts.geometry.area / 1e6).round(3)

    deps = communes.dissolve(by="DEP", aggfunc={"REG": "first", "code": "count",
                                                "covered": "sum", "PMUN": "sum",
                                                "PCOV": "sum"}).reset_index()
    deps = deps.rename(columns={"code": "communes", "covered": "covered_communes"})
    regs = deps.dissolve(by="REG", aggfunc={"communes": "sum", "covered_communes": "sum",
                                            "PMUN": "sum", "PCOV": "sum"}).reset_index()

    unc = communes[~communes["covered"]]
    if len(unc):
        zones = unc[["geometry"]].dissolve().explode(index_parts=False).reset_index(drop=True)
        zones["zone"] = range(len(zones))
        pts = gpd.GeoDataFrame(unc[["PMUN"]], geometry=unc.geometry.representative_point(),
                               crs=unc.crs)
        hit = gpd.sjoin(pts, zones, predicate="within")
        agg = hit.groupby("zone").agg(population=("PMUN", "sum"), communes=("PMUN", "size"))
        zones = zones.join(agg, on="zone")
        zones["area_km2"] = (zones.geometry.area / 1e6).round(3)
    else:
        zones = gpd.GeoDataFrame({"zone": []}, geometry=[], crs=communes.crs)
    return [g.to_crs(4326) for g in (communes, cpts, deps, regs, zones)]


def pct(a, b):
    return (100.0 * a / b).round(4) if len(a) else a


def tables(pop, members, covered_codes, out):
    p = pop.copy()
    p["covered"] = p["COM"].isin(covered_codes)
    p["PCOV"] = p["PMUN"].where(p["covered"], 0)
    for key, name in (("DEP", "departments"), ("REG", "regions")):
        t = p.groupby(key).agg(population=("PMUN", "sum"), covered_population=("PCOV", "sum"),
                               communes=("COM", "size"), covered_communes=("covered", "sum"))
        t["covered_pct"] = pct(t["covered_population"], t["population"])
        t.to_csv(os.path.join(out, "coverage_%s.csv" % name))
    m = members.merge(p[["COM", "PMUN", "PCOV"]], left_on="code", right_on="COM")
    t = m.groupby("cpts_id").agg(name=("cpts_name", "first"), status=("status", "first"),
                                 signed_on=("signed_on", "first"), population=("PMUN", "sum"),
                                 covered_population=("PCOV", "sum"), communes=("code", "size"))
    t["counts"] = t["status"] == "signed"
    t.to_csv(os.path.join(out, "coverage_cpts.csv"))


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: peer_geopandas.py GEODATA OUTDIR")
    geo, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    to_2025, pop, members = read_tables(geo)
    signed = members[members["status"] == "signed"]
    covered_codes = set(signed["code"])
    cpts_of = members.groupby("code")["cpts_id"].agg(",".join)
    parts = [[], [], [], [], []]
    for t in TERRITORIES:
        path = os.path.join(geo, "admin-express-cog-2018", "COMMUNE_%s.shp" % t)
        for i, g in enumerate(layer_maps(path, to_2025, pop, members, covered_codes, cpts_of)):
            parts[i].append(g)
    names = ["communes", "cpts", "departments", "regions", "uncovered"]
    for name, gs in zip(names, parts):
        g = gpd.GeoDataFrame(pd.concat(gs, ignore_index=True), crs=4326)
        if name == "uncovered":
            g = g.sort_values("population", ascending=False).drop(columns="zone")
            g.insert(0, "rank", range(1, len(g) + 1))
        g.to_file(os.path.join(out, name + ".geojson"), driver="GeoJSON", RFC7946="YES",
                  COORDINATE_PRECISION=6)
    tables(pop, members, covered_codes, out)
    sys.stderr.write("peer_geopandas: wall %.3f s\n" % (time.perf_counter() - T0))


if __name__ == "__main__":
    main()
