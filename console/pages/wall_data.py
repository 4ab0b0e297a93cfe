"""The wall's camera catalogue: every district, school and camera, loaded on the database worker.

Selected with SQLAlchemy Core, columns only, in one pass per table: a city has 40,000+ cameras and
building ORM objects for them would cost several times more. The result is plain data the camera
tree and the saved layouts use (a camera id resolves to a WallCamera).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from console.db_bridge import JobContext
from services.db.models import Camera, District, School
from widgets.video_wall import WallCamera


@dataclass(slots=True)
class CatalogSchool:
    id: int
    code: str
    name: str
    cameras: list[WallCamera] = field(default_factory=list)


@dataclass(slots=True)
class CatalogDistrict:
    id: int
    name: str
    name_en: str
    schools: list[CatalogSchool] = field(default_factory=list)


@dataclass(slots=True)
class CameraCatalog:
    districts: list[CatalogDistrict]
    cameras: dict[int, WallCamera]

    def all_cameras(self) -> list[WallCamera]:
        return [c for d in self.districts for s in d.schools for c in s.cameras]


def load_camera_catalog(ctx: JobContext) -> CameraCatalog:
    """Districts by code, schools by name, cameras by id (worker side)."""
    engine = ctx.engine
    with engine.connect() as conn:
        district_rows = conn.execute(
            select(District.id, District.name, District.name_en).order_by(District.adcode)
        ).all()
        school_rows = conn.execute(
            select(School.id, School.code, School.name, School.district_id).order_by(School.name, School.id)
        ).all()
        camera_rows = conn.execute(
            select(
                Camera.id, Camera.code, Camera.name, Camera.school_id,
                Camera.main_stream_url, Camera.sub_stream_url,
            ).order_by(Camera.school_id, Camera.id)
        ).all()  # fmt: skip
    districts = {row.id: CatalogDistrict(row.id, row.name, row.name_en) for row in district_rows}
    schools: dict[int, CatalogSchool] = {}
    for s_row in school_rows:
        school = CatalogSchool(s_row.id, s_row.code, s_row.name)
        schools[s_row.id] = school
        district = districts.get(s_row.district_id)
        if district is not None:
            district.schools.append(school)
    cameras: dict[int, WallCamera] = {}
    for row in camera_rows:
        owner = schools.get(row.school_id)
        if owner is None:
            continue
        camera = WallCamera(
            camera_id=row.id,
            code=row.code,
            name=row.name,
            school_id=row.school_id,
            school_name=owner.name,
            main_url=row.main_stream_url,
            sub_url=row.sub_stream_url,
        )
        owner.cameras.append(camera)
        cameras[row.id] = camera
    return CameraCatalog(list(districts.values()), cameras)
