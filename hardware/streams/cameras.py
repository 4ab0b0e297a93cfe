"""Which cameras the simulator serves: N numbered ones, or those in a database that point at it."""

from __future__ import annotations

import urllib.parse

from sqlalchemy import select

from hardware.streams.render import FeedLabel
from services.db.engine import create_database_engine
from services.db.models import Camera, School


def numbered_cameras(count: int) -> dict[str, FeedLabel]:
    if count < 1:
        raise ValueError(f"--cameras must be at least 1, got {count}")
    return {
        code: FeedLabel(code, f"simulated camera {i}")
        for i, code in ((i, f"SIM-{i:04d}") for i in range(1, count + 1))
    }


def served_code(url: str, host: str, port: int) -> str | None:
    """The camera code of *url* when it points at this simulator (host:port/cam/CODE/...)."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme != "http" or parts.hostname != host or (parts.port or 80) != port:
        return None
    segments = parts.path.split("/")
    if len(segments) != 4 or segments[1] != "cam" or not segments[2]:
        return None
    return urllib.parse.unquote(segments[2])


def database_cameras(url: str, host: str, port: int, limit: int | None = None) -> dict[str, FeedLabel]:
    """Cameras in the database whose main or sub stream URL points at host:port."""
    engine = create_database_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                select(Camera.main_stream_url, Camera.sub_stream_url, Camera.name, School.name)
                .join(School, Camera.school_id == School.id)
                .order_by(Camera.id)
            ).all()
    finally:
        engine.dispose()
    labels: dict[str, FeedLabel] = {}
    for main_url, sub_url, camera_name, school_name in rows:
        for stream_url in (sub_url, main_url):
            code = served_code(str(stream_url), host, port)
            if code is not None and code not in labels:
                labels[code] = FeedLabel(code, f"{school_name} {camera_name}")
        if limit is not None and len(labels) >= limit:
            break
    return labels
