"""The persistent domain model: districts, schools, their contacts and cameras.

SQLAlchemy 2 typed declarative models. Widgets never see these objects: repositories hand out
plain frozen dataclasses (see services/db/records.py), so a live ORM object never crosses a thread.
Camera credentials are never stored here: a camera carries only `credential_ref`, the name under
which the secret store keeps them.
"""

from __future__ import annotations

import enum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Stable constraint names so Alembic migrations behave the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class SchoolType(enum.StrEnum):
    """Kinds of school the bureau supervises; drill duty differs (kindergartens quarterly)."""

    KINDERGARTEN = "kindergarten"
    PRIMARY = "primary"
    MIDDLE = "middle"
    HIGH = "high"
    VOCATIONAL = "vocational"
    SPECIAL = "special"


class ContactRole(enum.StrEnum):
    PRINCIPAL = "principal"
    SECURITY_CHIEF = "security_chief"
    GATEHOUSE = "gatehouse"


def _enum_column(enum_cls: type[enum.StrEnum], name: str) -> Enum:
    # Stored as VARCHAR with a CHECK constraint, not a native PostgreSQL ENUM: adding a value
    # later is then an ordinary migration on both back ends.
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        validate_strings=True,
        length=24,
        values_callable=lambda members: [m.value for m in members],
    )


class District(Base):
    __tablename__ = "districts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    adcode: Mapped[str] = mapped_column(String(6), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(64))

    schools: Mapped[list[School]] = relationship(back_populates="district")


class School(Base):
    __tablename__ = "schools"
    __table_args__ = (
        CheckConstraint("student_count >= 0", name="student_count_not_negative"),
        CheckConstraint("staff_count >= 0", name="staff_count_not_negative"),
        CheckConstraint("longitude BETWEEN -180 AND 180", name="longitude_range"),
        CheckConstraint("latitude BETWEEN -90 AND 90", name="latitude_range"),
        Index("ix_schools_district_id", "district_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(128))
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id", ondelete="RESTRICT"))
    school_type: Mapped[SchoolType] = mapped_column(_enum_column(SchoolType, "school_type"))
    address: Mapped[str] = mapped_column(String(256), default="")
    longitude: Mapped[float] = mapped_column(Float)
    latitude: Mapped[float] = mapped_column(Float)
    student_count: Mapped[int] = mapped_column(Integer, default=0)
    staff_count: Mapped[int] = mapped_column(Integer, default=0)
    is_pilot: Mapped[bool] = mapped_column(Boolean, default=False)
    # Generated demo schools are marked so they can never be mistaken for real data.
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)

    district: Mapped[District] = relationship(back_populates="schools")
    contacts: Mapped[list[SchoolContact]] = relationship(
        back_populates="school", cascade="all, delete-orphan", order_by="SchoolContact.id"
    )
    cameras: Mapped[list[Camera]] = relationship(
        back_populates="school", cascade="all, delete-orphan", order_by="Camera.id"
    )


class SchoolContact(Base):
    __tablename__ = "school_contacts"
    __table_args__ = (Index("ix_school_contacts_school_id", "school_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    role: Mapped[ContactRole] = mapped_column(_enum_column(ContactRole, "contact_role"))
    name: Mapped[str] = mapped_column(String(64))
    phone: Mapped[str] = mapped_column(String(32))

    school: Mapped[School] = relationship(back_populates="contacts")


class Camera(Base):
    __tablename__ = "cameras"
    __table_args__ = (Index("ix_cameras_school_id", "school_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(48), unique=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(128))
    area: Mapped[str] = mapped_column(String(64), default="")
    # Key areas (gate, perimeter, ...) keep video 3 months instead of 1 under Qingdao's rules.
    is_key_area: Mapped[bool] = mapped_column(Boolean, default=False)
    main_stream_url: Mapped[str] = mapped_column(String(512))
    sub_stream_url: Mapped[str] = mapped_column(String(512))
    # Name of the credentials in the secret store; the password itself never enters this table.
    credential_ref: Mapped[str | None] = mapped_column(String(128), nullable=True, default=None)

    school: Mapped[School] = relationship(back_populates="cameras")
