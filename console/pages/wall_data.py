"""The wall's camera catalogue: every district, school and camera, loaded on the database worker.

Selected with SQLAlchemy Core, columns only, in one pass per table: a city has 40,000+ cameras and
building ORM objects for them would cost several times more. The result is plain data the camera
tree and the saved layouts use (a camera id resolves to a WallCamera).

Camera logins (docs/access.md) are decrypted here too, with the secrets key of the console's data
folder, and kept apart from the WallCameras: a WallCamera travels in drag payloads and tooltips,
so it carries only the registry's URLs. `CameraCatalog.stream_access` puts a login into the URL
for the player, and only into the URL the registry has for that camera. A district viewer's
catalogue (*scope*) holds only their district, and only its logins are decrypted.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from console.db_bridge import JobContext
from console.video.stream_access import CameraLogin, LoginProblem, StreamAccess
from services.access.secrets import SecretBox, SecretError, url_with_credentials
from services.db.access_models import CameraCredential
from services.db.models import Camera, District, School
from widgets.video_wall import WallCamera

log = logging.getLogger(__name__)


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
    adcode: str = ""
    schools: list[CatalogSchool] = field(default_factory=list)


@dataclass(slots=True)
class CameraCatalog:
    districts: list[CatalogDistrict]
    cameras: dict[int, WallCamera]
    # The district it was loaded for (a district viewer's adcode), None for the whole city.
    scope: str | None = None
    logins: dict[int, CameraLogin] = field(default_factory=dict, repr=False)
    login_problems: dict[int, LoginProblem] = field(default_factory=dict)
    _adcodes: dict[int, str] = field(default_factory=dict, repr=False)

    def all_cameras(self) -> list[WallCamera]:
        return [c for d in self.districts for s in d.schools for c in s.cameras]

    def camera_adcode(self, camera_id: int) -> str | None:
        """The adcode of the camera's district; None for a camera not in this catalogue."""
        return self._adcodes.get(camera_id)

    def stream_access(self, camera: WallCamera, url: str) -> StreamAccess:
        """What the player opens for *camera*'s stream *url*: with the stored login when the URL is
        one the registry has for that camera (a drag payload names a camera id and URLs; a login is
        never sent to a URL the registry does not know for it)."""
        known = self.cameras.get(camera.camera_id)
        if known is None:
            return StreamAccess(url)
        problem = self.login_problems.get(camera.camera_id, "")
        login = self.logins.get(camera.camera_id)
        if login is None or url not in (known.main_url, known.sub_url):
            return StreamAccess(url, problem)
        try:
            return StreamAccess(url_with_credentials(url, login.username, login.password))
        except ValueError:
            return StreamAccess(url, LoginProblem.NOT_APPLICABLE)


def load_camera_catalog(
    ctx: JobContext, key_path: Path | None = None, scope: str | None = None
) -> CameraCatalog:
    """Districts by code, schools by name, cameras by id (worker side); only district *scope*
    when given. Logins are decrypted with the key in *key_path* (none: every stored login is
    unreadable, and those cameras play without theirs)."""
    engine = ctx.engine
    district_query = select(District.id, District.name, District.name_en, District.adcode)
    school_query = select(School.id, School.code, School.name, School.district_id)
    camera_query = select(
        Camera.id, Camera.code, Camera.name, Camera.school_id,
        Camera.main_stream_url, Camera.sub_stream_url, Camera.credential_ref,
    )  # fmt: skip
    login_query = select(
        CameraCredential.camera_id, CameraCredential.username_ct, CameraCredential.password_ct
    )
    if scope is not None:
        district_query = district_query.where(District.adcode == scope)
        in_scope = select(School.id).join(District, School.district_id == District.id)
        in_scope = in_scope.where(District.adcode == scope)
        school_query = school_query.where(School.id.in_(in_scope))
        camera_query = camera_query.where(Camera.school_id.in_(in_scope))
        login_query = login_query.join(Camera, Camera.id == CameraCredential.camera_id).where(
            Camera.school_id.in_(in_scope)
        )
    with engine.connect() as conn:
        district_rows = conn.execute(district_query.order_by(District.adcode)).all()
        school_rows = conn.execute(school_query.order_by(School.name, School.id)).all()
        camera_rows = conn.execute(camera_query.order_by(Camera.school_id, Camera.id)).all()
        login_rows = conn.execute(login_query).all()
    districts = {row.id: CatalogDistrict(row.id, row.name, row.name_en, row.adcode) for row in district_rows}
    schools: dict[int, CatalogSchool] = {}
    school_adcodes: dict[int, str] = {}
    for s_row in school_rows:
        school = CatalogSchool(s_row.id, s_row.code, s_row.name)
        schools[s_row.id] = school
        district = districts.get(s_row.district_id)
        if district is not None:
            district.schools.append(school)
            school_adcodes[s_row.id] = district.adcode
    cameras: dict[int, WallCamera] = {}
    adcodes: dict[int, str] = {}
    needs_login: set[int] = set()
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
        if row.school_id in school_adcodes:
            adcodes[row.id] = school_adcodes[row.school_id]
        if row.credential_ref:
            needs_login.add(row.id)
    logins, problems = _decrypt_logins(login_rows, cameras, key_path)
    for camera_id in needs_login - logins.keys() - problems.keys():
        problems[camera_id] = LoginProblem.MISSING
    return CameraCatalog(list(districts.values()), cameras, scope, logins, problems, adcodes)


def _decrypt_logins(
    found: Sequence[Any], cameras: dict[int, WallCamera], key_path: Path | None
) -> tuple[dict[int, CameraLogin], dict[int, LoginProblem]]:
    """Logins of the catalogue's cameras; those that cannot be decrypted are problems, with one
    error line for all of them (the reason, never a secret)."""
    rows = [row for row in found if row.camera_id in cameras]
    logins: dict[int, CameraLogin] = {}
    problems: dict[int, LoginProblem] = {}
    if not rows:
        return logins, problems
    box: SecretBox | None = None
    reason = "no secrets key is configured"
    if key_path is not None:
        try:
            box = SecretBox.load_or_create(key_path, create=False)
        except SecretError as exc:
            reason = str(exc)
    for row in rows:
        if box is None:
            problems[row.camera_id] = LoginProblem.UNREADABLE
            continue
        try:
            logins[row.camera_id] = CameraLogin(box.decrypt(row.username_ct), box.decrypt(row.password_ct))
        except SecretError as exc:
            reason = str(exc)
            problems[row.camera_id] = LoginProblem.UNREADABLE
    if problems:
        log.error(
            "%d camera logins cannot be used, those cameras play without theirs: %s", len(problems), reason
        )
    return logins, problems
