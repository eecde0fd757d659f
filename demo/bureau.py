"""The seed's urban-management bureau (work plan 2022), as demo data.

Usernames are a contract: acceptance checks and browser tests log in with them.
"""

import datetime

from django.conf import settings
from django.db import transaction

from accounts.models import Oversight, Post, Unit, User

START = datetime.date(2022, 1, 1)

BUREAU = ("bureau", "市城市管理局")
UNITS = [
    # code, name, kind, parent code
    ("office", "办公室", Unit.Kind.DIVISION, "bureau"),
    ("personnel", "组织人事处", Unit.Kind.DIVISION, "bureau"),
    ("finance", "计划财务处", Unit.Kind.DIVISION, "bureau"),
    ("legal", "政策法规处", Unit.Kind.DIVISION, "bureau"),
    ("sanitation", "市容环境卫生管理处", Unit.Kind.DIVISION, "bureau"),
    ("facilities", "市政设施管理处", Unit.Kind.DIVISION, "bureau"),
    ("command", "数字城管指挥中心", Unit.Kind.SUBORDINATE, "bureau"),
    ("enforcement", "城市管理综合执法支队", Unit.Kind.SUBORDINATE, "bureau"),
    ("squad1", "执法一大队", Unit.Kind.SQUAD, "enforcement"),
    ("squad2", "执法二大队", Unit.Kind.SQUAD, "enforcement"),
]
HEAD_NAMES = {
    "office": "周丽", "personnel": "吴芳", "finance": "郑华", "legal": "冯涛",
    "sanitation": "何平", "facilities": "许军", "command": "邓超", "enforcement": "曹勇",
    "squad1": "彭亮", "squad2": "蒋波",
}
LEADERS = {
    "leader_wang": ("王志强", ["office", "personnel", "finance"]),
    "leader_li": ("李明", ["legal", "sanitation", "facilities", "command"]),
    "leader_zhao": ("赵刚", ["enforcement", "squad1", "squad2"]),
}
BUREAU_POSTS = [
    # username, name, role, title
    ("secretary", "张建国", Post.Role.SECRETARY, "党组书记、局长"),
    ("jiwei_chen", "陈静", Post.Role.COMMITTEE, "机关纪委书记"),
    ("jiwei_liu", "刘洋", Post.Role.COMMITTEE, "机关纪委委员"),
    ("paizhu_sun", "孙伟", Post.Role.STATIONED, "派驻纪检组组长"),
    ("admin", "系统管理员", Post.Role.ADMIN, "系统管理员"),
]


def _user(username: str, name: str, password: str, **extra) -> User:
    user, created = User.objects.get_or_create(
        username=username, defaults={"name": name, "email": f"{username}@dutychain.test", **extra})
    if created:
        user.set_password(password)
        user.save()
    return user


def _post(user: User, unit: Unit, role: str, title: str = "") -> None:
    Post.objects.get_or_create(user=user, unit=unit, role=role,
                               defaults={"valid_from": START, "title": title})


@transaction.atomic
def load_demo(password: str | None = None) -> dict[str, int]:
    """Build (or top up) the demo bureau; running it again changes nothing."""
    password = password or settings.DEMO_PASSWORD
    bureau, _ = Unit.objects.get_or_create(
        code=BUREAU[0], defaults={"name": BUREAU[1], "kind": Unit.Kind.BUREAU})
    units = {"bureau": bureau}
    for order, (code, name, kind, parent) in enumerate(UNITS, start=1):
        units[code], _ = Unit.objects.get_or_create(
            code=code, defaults={"name": name, "kind": kind, "parent": units[parent],
                                 "order": order})

    for username, name, role, title in BUREAU_POSTS:
        extra = {"is_staff": True, "is_superuser": True} if username == "admin" else {}
        _post(_user(username, name, password, **extra), bureau, role, title)

    for username, (name, overseen) in LEADERS.items():
        leader = _user(username, name, password)
        _post(leader, bureau, Post.Role.LEADER, "党组成员、副局长")
        for code in overseen:
            if not Oversight.objects.filter(unit=units[code]).exists():
                oversight = Oversight(leader=leader, unit=units[code], valid_from=START)
                oversight.full_clean()
                oversight.save()

    for code, name in HEAD_NAMES.items():
        _post(_user(f"head_{code}", name, password), units[code], Post.Role.HEAD, "负责人")
    _post(_user("liaison_enforcement", "吴敏", password), units["enforcement"],
          Post.Role.LIAISON, "党务联络员")

    return {"units": Unit.objects.count(), "users": User.objects.count(),
            "posts": Post.objects.count(), "oversights": Oversight.objects.count()}
