"""The deterministic demo city: Qingdao's ten districts with generated, clearly labelled schools.

`seed_demo_city(engine)` fills an empty database with 3,700 demo schools (39 of them the pilot,
in detail), their contacts and 40,000+ cameras; the same seed always gives the same rows. Every
school is `is_demo=True`, every school name contains 演示, and nothing in it is real data.
Command line: `python -m services.demo_city --database URL [--schools N] [--cameras N]`.
"""

from services.demo_city.plan import DemoCityPlan, PlannedSchool, plan_demo_city
from services.demo_city.seeding import (
    DEFAULT_SEED,
    DEFAULT_STREAM_URL_TEMPLATE,
    DemoCitySummary,
    seed_demo_city,
    stream_urls,
)

__all__ = [
    "DEFAULT_SEED",
    "DEFAULT_STREAM_URL_TEMPLATE",
    "DemoCityPlan",
    "DemoCitySummary",
    "PlannedSchool",
    "plan_demo_city",
    "seed_demo_city",
    "stream_urls",
]
