"""Chinese names, addresses and phone numbers for the demo city, all visibly fictitious.

Every school name contains 演示 ("demo"), addresses end in （演示）, people carry （演示） after
their names and phone numbers are 0532-0000-xxxx, a form no real Qingdao number has (local
numbers never start with 0), so nothing generated can be mistaken for real data or dialled.
"""

from __future__ import annotations

import random

DEMO_MARK = "演示"

_ROAD_FIRST = "海山福安宁云青华东明胜泰兴和平长新春秀金银松柏竹兰德仁文"
_ROAD_SECOND = "兴安宁阳昌盛隆源泉湾岭港川林苑宁丰华台"
_ROAD_KIND = ("路", "路", "路", "街", "大道")
_SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗于姜宋孔董崔曲修隋"
_GIVEN = "建国华明丽强伟敏静军磊洋艳勇杰娟涛超霞平刚桂英文海燕红玲晓宁志峰"


def school_name(district_name: str, number: int, suffix: str) -> str:
    """For example 崂山区演示第12小学."""
    return f"{district_name}{DEMO_MARK}第{number}{suffix}"


def address(rng: random.Random, district_name: str) -> str:
    road = rng.choice(_ROAD_FIRST) + rng.choice(_ROAD_SECOND) + rng.choice(_ROAD_KIND)
    return f"青岛市{district_name}{road}{rng.randint(1, 399)}号（{DEMO_MARK}）"


def person_name(rng: random.Random) -> str:
    given = "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2, 2))))
    return f"{rng.choice(_SURNAMES)}{given}（{DEMO_MARK}）"


def gatehouse_name() -> str:
    return f"门卫室值班（{DEMO_MARK}）"


def phone(rng: random.Random) -> str:
    return f"0532-0000-{rng.randrange(10_000):04d}"
