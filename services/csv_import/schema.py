"""The columns of the school and camera CSV files, the words accepted in them, and header lookup.

Headers may be English or Chinese, in any order. Matching ignores case, spaces, underscores and
hyphens, a trailing "*" (templates often mark required columns with it) and a trailing unit in
brackets such as "学生数(人)". Length limits come from the database model, so they cannot drift.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from services.csv_import.result import CsvImportError, ImportKind
from services.db.models import Camera, School, SchoolContact, SchoolType


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    key: str
    required: bool
    # English names first, then Chinese names; the first of each is the one the docs show.
    english: tuple[str, ...]
    chinese: tuple[str, ...]
    max_length: int | None = None


def _length(column: object) -> int:
    length = getattr(getattr(column, "type", None), "length", None)
    if not isinstance(length, int):
        raise TypeError(f"{column!r} has no length")
    return length


SCHOOL_COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec(
        "code", True, ("code", "school_code"), ("学校代码", "学校编码", "编码", "代码"), _length(School.code)
    ),
    ColumnSpec("name", True, ("name", "school_name"), ("学校名称", "名称", "校名"), _length(School.name)),
    ColumnSpec(
        "district",
        True,
        ("district", "adcode", "district_code"),
        ("区市", "所属区市", "区县", "所属区县", "行政区", "区"),
    ),
    ColumnSpec("type", True, ("type", "school_type"), ("学校类型", "类型", "学段")),
    ColumnSpec("address", False, ("address",), ("地址", "学校地址"), _length(School.address)),
    ColumnSpec("longitude", True, ("longitude", "lon", "lng"), ("经度",)),
    ColumnSpec("latitude", True, ("latitude", "lat"), ("纬度",)),
    ColumnSpec("students", False, ("students", "student_count"), ("学生数", "学生人数", "在校生数")),
    ColumnSpec("staff", False, ("staff", "staff_count"), ("教职工数", "教职工人数")),
    ColumnSpec("principal", False, ("principal",), ("校长", "校长姓名"), _length(SchoolContact.name)),
    ColumnSpec(
        "principal_phone",
        False,
        ("principal_phone",),
        ("校长电话", "校长联系电话"),
        _length(SchoolContact.phone),
    ),
    ColumnSpec(
        "security_chief",
        False,
        ("security_chief",),
        ("安全负责人", "保卫负责人", "安保负责人"),
        _length(SchoolContact.name),
    ),
    ColumnSpec(
        "security_phone",
        False,
        ("security_phone", "security_chief_phone"),
        ("安全负责人电话", "保卫负责人电话", "安保负责人电话"),
        _length(SchoolContact.phone),
    ),
    ColumnSpec("pilot", False, ("pilot", "is_pilot"), ("试点", "是否试点", "试点学校")),
)

CAMERA_COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec(
        "code",
        True,
        ("code", "camera_code"),
        ("摄像头编码", "摄像机编码", "通道编码", "编码", "代码"),
        _length(Camera.code),
    ),
    ColumnSpec(
        "school_code", True, ("school_code", "school"), ("学校代码", "学校编码"), _length(School.code)
    ),
    ColumnSpec(
        "name", True, ("name", "camera_name"), ("名称", "摄像头名称", "通道名称"), _length(Camera.name)
    ),
    ColumnSpec("area", False, ("area", "location"), ("区域", "位置", "安装位置"), _length(Camera.area)),
    ColumnSpec("key_area", False, ("key_area", "is_key_area"), ("重点区域", "是否重点区域")),
    ColumnSpec(
        "main_url",
        True,
        ("main_url", "main_stream_url"),
        ("主码流", "主码流地址"),
        _length(Camera.main_stream_url),
    ),
    ColumnSpec(
        "sub_url",
        False,
        ("sub_url", "sub_stream_url"),
        ("子码流", "子码流地址"),
        _length(Camera.sub_stream_url),
    ),
    ColumnSpec(
        "credential_ref", False, ("credential_ref",), ("凭据引用", "凭据名称"), _length(Camera.credential_ref)
    ),
)

COLUMNS: dict[ImportKind, tuple[ColumnSpec, ...]] = {
    ImportKind.SCHOOLS: SCHOOL_COLUMNS,
    ImportKind.CAMERAS: CAMERA_COLUMNS,
}

SCHOOL_TYPE_WORDS: dict[str, SchoolType] = {
    "幼儿园": SchoolType.KINDERGARTEN,
    "小学": SchoolType.PRIMARY,
    "初中": SchoolType.MIDDLE,
    "初级中学": SchoolType.MIDDLE,
    "高中": SchoolType.HIGH,
    "高级中学": SchoolType.HIGH,
    "职业学校": SchoolType.VOCATIONAL,
    "中职": SchoolType.VOCATIONAL,
    "中等职业学校": SchoolType.VOCATIONAL,
    "特殊教育学校": SchoolType.SPECIAL,
    "特教学校": SchoolType.SPECIAL,
    **{member.value: member for member in SchoolType},
}

TRUE_WORDS = frozenset({"yes", "y", "true", "1", "是"})
FALSE_WORDS = frozenset({"no", "n", "false", "0", "否"})

# Stream URL schemes the console can play. HLS is an http(s) URL to a .m3u8 playlist.
URL_SCHEMES = frozenset({"http", "https", "rtsp", "rtmp", "rtp", "udp"})

# Other names the bureau's own lists use for a district, by adcode.
DISTRICT_ALIASES: dict[str, str] = {"西海岸新区": "370211", "west coast new area": "370211"}


@dataclass(frozen=True, slots=True)
class GeoBounds:
    min_longitude: float
    max_longitude: float
    min_latitude: float
    max_latitude: float

    def contains(self, longitude: float, latitude: float) -> bool:
        return (
            self.min_longitude <= longitude <= self.max_longitude
            and self.min_latitude <= latitude <= self.max_latitude
        )

    def __str__(self) -> str:
        return (
            f"longitude {self.min_longitude}..{self.max_longitude}, "
            f"latitude {self.min_latitude}..{self.max_latitude}"
        )


# Qingdao spans about 119.5-121.0 E and 35.6-37.15 N (islands included); the margin keeps a school
# on the boundary in, while a swapped or mistyped coordinate still lands far outside.
QINGDAO_BOUNDS = GeoBounds(119.2, 121.3, 35.3, 37.4)

_PASSWORD_WORDS = ("password", "passwd", "passcode", "密码", "口令")
_UNIT_SUFFIX = re.compile(r"[（(][^（）()]*[）)]$")


def normalize_header(text: str) -> str:
    cleaned = text.replace("\ufeff", "").strip().rstrip("*＊").strip()
    cleaned = _UNIT_SUFFIX.sub("", cleaned)
    return re.sub(r"[\s_\-]+", "", cleaned).casefold()


def is_password_header(text: str) -> bool:
    normalized = normalize_header(text)
    return normalized in {"pwd", "pass"} or any(word in normalized for word in _PASSWORD_WORDS)


@dataclass(frozen=True, slots=True)
class HeaderMap:
    """Where each known column sits in the file, and the header text the user wrote for it."""

    index: dict[str, int]
    header: dict[str, str]
    ignored: tuple[str, ...]


def _lookup(columns: Sequence[ColumnSpec]) -> dict[str, str]:
    names: dict[str, str] = {}
    for spec in columns:
        for name in (*spec.english, *spec.chinese):
            names[normalize_header(name)] = spec.key
    return names


def map_header(kind: ImportKind, cells: Sequence[str]) -> HeaderMap:
    """Match the header row to the columns of *kind*; raise CsvImportError when it cannot be used."""
    columns = COLUMNS[kind]
    passwords = [cell.strip() for cell in cells if is_password_header(cell)]
    if passwords:
        raise CsvImportError(
            f"the file has a password column ({', '.join(passwords)}); passwords are never imported "
            "from CSV: store camera credentials in the secret store and put only their name in the "
            "credential_ref column"
        )
    names = _lookup(columns)
    index: dict[str, int] = {}
    header: dict[str, str] = {}
    ignored: list[str] = []
    for position, cell in enumerate(cells):
        text = cell.replace("\ufeff", "").strip()
        if not text:
            continue
        key = names.get(normalize_header(text))
        if key is None:
            ignored.append(text)
            continue
        if key in index:
            raise CsvImportError(f"the columns {header[key]!r} and {text!r} both give the {key} column")
        index[key] = position
        header[key] = text
    missing = [spec for spec in columns if spec.required and spec.key not in index]
    if missing:
        wanted = "; ".join(f"{spec.english[0]} ({spec.chinese[0]})" for spec in missing)
        raise CsvImportError(
            f"the header (line 1) lacks required {kind.value} column(s): {wanted}. "
            "The first line must name the columns, in English or Chinese."
        )
    return HeaderMap(index=index, header=header, ignored=tuple(ignored))
