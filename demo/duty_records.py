"""Demo duty records (履责纪实): what the bureau's people recorded against the year's duty
list, from the day it was issued to yesterday, entered and reviewed on the working days they
would have been (demo.past), through the real services.

Every branch holds its 支委会 each month (item 2), which in a quarter's middle month is the
unit's 作风 meeting too (item 14; sanitation holds that as a 处务会 of its own, minutes
attached), and its 廉政风险点排查 in April and October (item 18); enforcement's liaison keeps
its branch's records. The secretary chairs the leadership group's 中心组学习 each month (item
1) and its 党组会 on strict governance twice a year (item 5), and hears the leaders each
quarter (item 6), as each leader hears the units they oversee; the leaders give their 党课
(item 7) and hold a few talks with heads (item 15); the committee keeps its quarterly 警示教育
(item 17), its 明察暗访 (item 13) and a meeting with the stationed group (item 20).

Most records are accepted by their reviewer a few working days after they are entered; some
are returned once and corrected; the last ones entered await review; a few are entered late
with a reason (补录), as are early January's, entered once the list was issued. Two are
returned and not corrected yet: sanitation's 支委会 of the month whose count shows (the last
that ended: its item 2 is red beside green items 14 and 18) and squad 2's latest. Squad 2
lags: it skips a 支委会 now and then and that month's always, held its 作风 meeting in
February only and no risk review in April.

The year is planned whole from a fixed seed, then cut at today: a month looks the same on
whichever later day the demo is loaded, but for what the month whose count shows needs.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import User
from records.models import DutyList, DutyRecord
from records.services import duty_records as service
from records.workdays import Calendar, add_working_days, working_days_between

from .bureau import HEAD_NAMES, LEADERS, UNITS
from .duties import CARRIERS, REVIEWERS, demo_list_year, issue_day
from .past import Past

SEED = 20220118
ONE_DAY = datetime.timedelta(days=1)
ACCEPT, FIX, WAIT = "accept", "fix", "wait"  # accepted; returned and corrected; returned

UNIT_NAMES = {code: name for code, name, *_rest in UNITS}
ROOMS = {
    "office": "二楼会议室", "personnel": "四楼小会议室", "finance": "二楼小会议室",
    "legal": "五楼会议室", "sanitation": "三楼会议室", "facilities": "三楼小会议室",
    "command": "指挥中心会商室", "enforcement": "支队一楼会议室", "squad1": "一大队会议室",
    "squad2": "二大队会议室",
}
MEMBERS = {"office": 9, "personnel": 7, "finance": 8, "legal": 6, "sanitation": 12,
           "facilities": 10, "command": 11, "enforcement": 15, "squad1": 14, "squad2": 13}
# enforcement's liaison keeps the branch's records for its head
KEEPERS = {"enforcement": "liaison_enforcement"}
BEHIND = "sanitation"  # its last month's 支委会 returned, not corrected yet
LAGGARD = "squad2"

BRANCH_MEETINGS = [  # the 支委会: item 2, and one of 9, 10, 11 or 16
    ((2, 9), "召开支部委员会，传达学习上级关于全面从严治党的部署要求，研究本月党建工作安排。"),
    ((2, 9), "支部委员会专题研究“三会一课”落实情况，梳理上月党员学习记录，明确本月主题党日安排。"),
    ((2, 10), "支委会学习《中国共产党支部工作条例（试行）》，对照党支部标准化规范化建设要求查找差距。"),
    ((2, 3), "支委会集中学习《中国共产党纪律处分条例》，结合岗位实际交流发言，时刻绷紧纪律规矩这根弦。"),
    ((2, 11), "支部委员会研究“创五星支部”创建方案，梳理支部工作亮点，明确品牌创建责任分工。"),
    ((2, 16), "支委会围绕群众反映强烈的急难愁盼问题开展讨论，党员认领为民办实事项目，明确办理时限。"),
]
WORK_STYLE_MEETINGS = [  # the 支委会 of a quarter's middle month: the 作风 meeting too
    "支部委员会专题研究作风建设，对照“怕、慢、假、庸、散”问题逐项查摆，列出问题清单并明确整改时限。",
    "召开作风治理专题会，通报“三真三实”作风提优行动推进情况，对办事效率问题制定整改措施。",
    "专题研究纠治“四风”工作，重申中央八项规定精神，部署节日期间作风纪律自查。",
    "支委会听取作风建设自查情况汇报，对不作为、慢作为苗头逐一提醒，明确整改责任人。",
]
SANITATION_WORK_STYLE = ("对照群众反映的占道经营、垃圾清运不及时等投诉逐件梳理办理时限，"
                         "对推诿扯皮问题明确责任人和整改措施。")
RISK_REVIEW = ("开展廉政风险点排查，对审批、执法、资金使用等关键环节逐一梳理，更新风险点清单"
               "{n}个并制定防控措施。")
# the leaders' talks with heads (item 15): month, leader, the head's unit, what about
TALKS = [
    (2, "leader_li", "sanitation", "节后收心谈话，听取处室落实全面从严治党责任情况，对投诉办理不及时提出要求。"),
    (4, "leader_wang", "finance", "五一前廉政提醒谈话，重申财经纪律和公务接待规定。"),
    (6, "leader_zhao", "squad2", "就窗口服务作风问题开展提醒谈话，要求举一反三、限期整改。"),
    (8, "leader_li", "facilities", "就市政工程项目监管中的廉政风险开展谈心谈话。"),
    (9, "leader_wang", "personnel", "中秋国庆前廉政提醒谈话，强调干部选拔任用纪律。"),
    (11, "leader_zhao", "squad1", "针对节日值班记录补填问题开展提醒谈话，要求压实岗位责任。"),
]
# item 7: each leader's 党课, at a branch
LECTURES = {"leader_wang": (4, "office"), "leader_li": (6, "sanitation"),
            "leader_zhao": (9, "enforcement")}

# (opinion, what the author changes): a return and its correction
RETURNS = [
    ("请补充参会人员和会议议程。", "guests"),
    ("会议内容记录过简，请补充研究的具体事项和责任分工。", "summary"),
    ("请上传会议签到表或会议记录作为佐证。", "file"),
]
KEPT_BACK = {  # the two returns not corrected yet
    BEHIND: "会议记录未体现“三会一课”具体内容，参会人数与支部党员人数不符，请核实后重新提交。",
    LAGGARD: "会议内容记录过简，请补充研究的具体事项和责任分工。",
}
LATE_REASONS = [
    "外出参加市里集中培训，返岗后补录。",
    "会议记录待参会人员签字确认后补录。",
    "经办人岗位调整，交接期间漏录，现补录。",
]
BEFORE_ISSUE = "责任清单{issued}印发，此前开展的活动统一补录。"


@dataclass
class Entry:
    """One record as it will be entered, and what becomes of it."""

    author: str
    items: tuple[int, ...]
    kind: str
    date: datetime.date
    summary: str
    place: str = ""
    organiser: str = ""
    participants: tuple[str, ...] = ()
    guests: str = ""
    unit: str = ""  # a branch's record: its unit
    delay: int = 0  # working days from the event to its entry
    late_reason: str = ""
    review_after: int = 2  # working days from the entry to the review
    fate: str = ACCEPT
    opinion: str = ""
    change: str = ""  # FIX: what the correction changes
    fix_after: int = 2  # FIX: working days from the return to the correction
    evidence: str = ""  # the name of a PDF entered with it
    entered: datetime.date = datetime.date.min


def pdf(title: str) -> bytes:
    """A one-page PDF saying ``title`` (ASCII): a few hundred bytes that open anywhere."""
    text = title.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    stream = f"BT /F1 12 Tf 72 770 Td ({text}) Tj ET".encode("ascii")
    bodies = [b"<< /Type /Catalog /Pages 2 0 R >>",
              b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
              b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
              b"/Resources << /Font << /F1 5 0 R >> >> >>",
              b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
              b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(bodies, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(bodies) + 1, xref)
    return bytes(out)


class _Year:
    """The list's year: its working days (one calendar read) and its draw of choices."""

    def __init__(self, year: int):
        self.year = year
        self.rng = random.Random(SEED + year)
        self.calendar = Calendar(datetime.date(year, 1, 1), datetime.date(year + 1, 2, 28))

    def workday(self, month: int, day: int) -> datetime.date:
        """The first working day from the ``day``-th of ``month`` (the last one before it
        when the month has none left)."""
        found = datetime.date(self.year, month, day)
        while not self.calendar.is_workday(found):
            found += ONE_DAY
        if found.month != month:
            found = datetime.date(self.year, month, day)
            while not self.calendar.is_workday(found):
                found -= ONE_DAY
        return found

    def after(self, day: datetime.date, working_days: int) -> datetime.date:
        return add_working_days(day, working_days, self.calendar) if working_days else day


def _branch_month(year: _Year, code: str, month: int) -> list[Entry]:
    rng, head = year.rng, f"head_{code}"
    keeper = KEEPERS.get(code, head)
    room, branch = ROOMS[code], f"{UNIT_NAMES[code]}党支部"
    members = f"支部党员{MEMBERS[code] - rng.randint(0, 2)}人"
    entries = []
    # the 支委会 (sanitation's early in the month); in a quarter's middle month it is the
    # unit's 作风 meeting (sanitation holds that as a 处务会 of its own; the laggard held one
    # in February only, and lets one 支委会 in four go)
    items, summary = rng.choice(BRANCH_MEETINGS)
    work_style = rng.choice(WORK_STYLE_MEETINGS)
    held = not (code == LAGGARD and month > 1 and rng.random() < 0.25)
    if month % 3 == 2 and code not in (BEHIND, LAGGARD) or (code, month) == (LAGGARD, 2):
        items, summary = (2, 14), work_style
    day = year.workday(month, rng.randint(3, 8) if code == BEHIND else rng.randint(1, 28))
    if held:
        entries.append(Entry(
            author=head if 14 in items else keeper, items=items, kind="meeting", date=day,
            summary=summary, place=room, organiser=branch, unit=code, guests=members,
            participants=(head,) if keeper == head else (head, keeper)))
    day = year.workday(month, rng.randint(10, 20))
    if month % 3 == 2 and code == BEHIND:
        entries.append(Entry(
            author=head, items=(14, 16), kind="meeting", date=day,
            summary=f"召开处务会专题研究作风治理，{SANITATION_WORK_STYLE}", place=room,
            organiser=HEAD_NAMES[code], participants=(head,), unit=code,
            guests="处室全体干部", evidence="作风治理专题会议记录.pdf"))
    # the risk review in April and October (none of the laggard's in April)
    day = year.workday(month, rng.randint(14, 26))
    if month in (4, 10) and not (code == LAGGARD and month == 4):
        entries.append(Entry(
            author=head, items=(18,), kind="inspection", date=day,
            summary=RISK_REVIEW.format(n=rng.randint(4, 12)), place=room,
            organiser=HEAD_NAMES[code], participants=(head,), unit=code))
    return entries


def _leadership_month(year: _Year, month: int) -> list[Entry]:
    rng = year.rng
    group = ("secretary", *LEADERS)
    study = ("专题研究意识形态工作，分析研判意识形态领域形势，部署网络意识形态风险排查。"
             if month in (3, 9) else "集中学习上级最新会议和文件精神，班子成员结合分管工作交流研讨。")
    entries = [Entry(
        author="secretary", items=(1, 4) if month in (3, 9) else (1,), kind="study",
        date=year.workday(month, rng.randint(10, 20)), summary="党组理论学习中心组学习会" + study,
        place="局党组会议室", organiser="局党组", participants=group,
        guests="各处室、单位主要负责人列席")]
    if month in (2, 7):
        entries.append(Entry(
            author="secretary", items=(5,), kind="meeting",
            date=year.workday(month, rng.randint(20, 26)),
            summary="召开党组会专题研究全面从严治党工作，传达市纪委全会精神，部署"
                    f"{'全年' if month == 2 else '下半年'}重点任务。",
            place="局党组会议室", organiser="局党组", participants=group))
    if month % 3 == 0:
        # each leader hears the units they oversee (zhao's second quarter entered late);
        # the secretary hears the leaders
        for leader, (name, overseen) in LEADERS.items():
            late = leader == "leader_zhao" and month == 6
            entries.append(Entry(
                author=leader, items=(6,), kind="meeting",
                date=year.workday(month, rng.randint(8, 22)),
                summary=f"听取{'、'.join(UNIT_NAMES[code] for code in overseen)}落实全面从严治党"
                        "主体责任情况汇报，逐一点评并提出下季度工作要求。",
                place="局党组会议室", organiser=name,
                participants=(leader, *(f"head_{code}" for code in overseen)),
                delay=8 if late else 0, late_reason=LATE_REASONS[0] if late else ""))
        entries.append(Entry(
            author="secretary", items=(6,), kind="meeting",
            date=year.workday(month, rng.randint(22, 27)),
            summary="听取党组班子成员落实全面从严治党“一岗双责”情况汇报，对分管领域存在问题"
                    "提出整改要求。",
            place="局党组会议室", organiser="局党组", participants=group))
        # the committee's warning education, for every head
        entries.append(Entry(
            author="jiwei_chen", items=(17,), kind="study",
            date=year.workday(month, rng.randint(5, 15)),
            summary="组织全局科级以上干部开展集中警示教育，观看警示教育片，通报系统内典型案例，"
                    "以案明纪、以案促改。",
            place="六楼报告厅", organiser="机关纪委",
            participants=("jiwei_chen", "jiwei_liu", *(f"head_{code}" for code in ROOMS))))
    for leader, (lecture_month, code) in LECTURES.items():
        if month == lecture_month:
            entries.append(Entry(
                author=leader, items=(7,), kind="lecture",
                date=year.workday(month, rng.randint(12, 25)),
                summary="到联系支部讲党课，围绕加强党性修养、严守纪律规矩，结合城市管理工作实际"
                        "剖析身边典型案例。",
                place=ROOMS[code], organiser=f"{UNIT_NAMES[code]}党支部",
                participants=(leader, f"head_{code}"), guests=f"支部党员{MEMBERS[code]}人"))
    for talk_month, leader, code, summary in TALKS:
        if month == talk_month:
            entries.append(Entry(
                author=leader, items=(15,), kind="talk",
                date=year.workday(month, rng.randint(8, 24)), summary=summary,
                place="分管领导办公室", organiser=LEADERS[leader][0],
                participants=(leader, f"head_{code}")))
    if month in (2, 10):
        entries.append(Entry(
            author="jiwei_liu", items=(13,), kind="inspection",
            date=year.workday(month, rng.randint(10, 18)),
            summary="汇总节日期间明察暗访情况，对发现的问题列出清单，在全局范围内通报并报派驻纪检组"
                    "备案。",
            place="机关纪委办公室", organiser="机关纪委", participants=("jiwei_chen", "jiwei_liu")))
    if month == 8:
        entries.append(Entry(
            author="jiwei_chen", items=(20,), kind="meeting",
            date=year.workday(month, rng.randint(15, 25)),
            summary="与派驻纪检组沟通全面从严治党重点工作，通报问题线索处置和整改督办情况。",
            place="机关纪委办公室", organiser="机关纪委",
            participants=("jiwei_chen", "paizhu_sun")))
    return entries


def _year_plan(year: _Year) -> list[Entry]:
    """The whole year as it would go, in date order, each entry with its draw of delays and
    fate (the same whatever today is)."""
    entries = []
    for month in range(1, 13):
        for code in ROOMS:
            entries += _branch_month(year, code, month)
        entries += _leadership_month(year, month)
    entries.sort(key=lambda entry: (entry.date, entry.author, entry.items))
    rng = year.rng
    for entry in entries:
        if not entry.late_reason:
            entry.delay = rng.choice((0, 1, 1, 2, 2, 3))
            if rng.random() < 0.05:
                entry.delay, entry.late_reason = rng.randint(6, 8), rng.choice(LATE_REASONS)
        entry.review_after = rng.randint(1, 4)
        if rng.random() < 0.08:
            entry.fate = FIX
            entry.opinion, entry.change = rng.choice(RETURNS)
            entry.fix_after = rng.randint(1, 3)
    return entries


def year_plan(year: int) -> list[Entry]:
    """The demo's records of ``year`` as the year would go, whatever today is."""
    return _year_plan(_Year(year))


def _cut(entries: list[Entry], year: _Year, today: datetime.date, opened: datetime.date,
         issued: datetime.date) -> list[Entry]:
    """The year's entries made before today, none before the list could take them
    (``opened``). In the month whose count shows (the last that ended; January
    before one has), the laggard held no 支委会 and sanitation's is returned, not corrected
    yet; so is the laggard's latest record reviewed. The last ones entered await review."""
    shown = 12 if today.year > year.year else max(today.month - 1, 1)
    kept = []
    for entry in entries:
        if entry.date >= today:
            break
        if entry.unit == LAGGARD and entry.date.month == shown and 2 in entry.items:
            continue
        entry.entered = max(year.after(entry.date, entry.delay), opened)
        if entry.entered >= today:
            continue  # not recorded yet
        if entry.entered == opened and entry.date < opened:
            entry.late_reason = BEFORE_ISSUE.format(issued=f"{issued.month}月{issued.day}日")
        kept.append(entry)
    # the first records entered: the reviewers start on them at once; the first has a file
    for number, entry in enumerate(entry for entry in kept if entry.entered == opened):
        entry.review_after = 1 + number % 2
        entry.evidence = entry.evidence or ("会议签到表.pdf" if number == 0 else "")
    for entry in kept:
        if entry.unit == BEHIND and entry.date.month == shown and 2 in entry.items:
            entry.fate, entry.opinion, entry.review_after = WAIT, KEPT_BACK[BEHIND], 1
    # the reviewers have not got to the last ones yet (two at least)
    waiting = [entry for entry in kept if year.after(entry.entered, entry.review_after) >= today]
    if len(waiting) < 2:
        for entry in sorted((entry for entry in kept if entry.fate != WAIT),
                            key=lambda entry: entry.entered)[-2:]:
            entry.review_after = working_days_between(entry.entered, today) + 1
    reviewed = [entry for entry in kept if entry.unit == LAGGARD
                and year.after(entry.entered, entry.review_after) < today]
    if reviewed:
        latest = max(reviewed, key=lambda entry: (
            year.after(entry.entered, entry.review_after), entry.date))
        latest.fate, latest.opinion = WAIT, KEPT_BACK[LAGGARD]
    return kept


def _reviewer(entry: Entry, key: int) -> str:
    """Who reviews ``entry``: its first item's reviewer (demo.duties), one step up when that
    is its author (as services.duty_records.reviewers_of); the committee's two members take
    turns. The review itself checks it."""
    role = REVIEWERS[CARRIERS[entry.items[0]][0]]
    if role == "supervisor":
        leaders = [leader for leader, (_name, overseen) in LEADERS.items()
                   if entry.unit in overseen and leader != entry.author]
        if leaders:
            return leaders[0]
        role = "secretary"
    if role == "secretary" and entry.author != "secretary":
        return "secretary"
    committee = [name for name in ("jiwei_chen", "jiwei_liu") if name != entry.author]
    return committee[key % len(committee)]


def _upload(name: str, entry: Entry) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf(f"DutyChain demo: {entry.kind} of {entry.date}, "
                                        f"recorded by {entry.author}"),
                              content_type="application/pdf")


def plan_demo_duty_records(past: Past) -> int:
    """The year's records on ``past``, up to yesterday (none when the list's year has
    records already, or its list is not issued by then); returns how many are entered."""
    year = demo_list_year(past.today)
    if DutyRecord.objects.filter(duty_list__year=year).exists():
        return 0
    existing = DutyList.objects.filter(year=year).first()
    if existing is not None and existing.status != DutyList.Status.ISSUED:
        return 0
    issued = timezone.localdate(existing.issued_at) if existing else issue_day(year)
    days = _Year(year)
    opened = days.after(issued, 1)
    if opened >= past.today:
        return 0
    entries = _cut(_year_plan(days), days, past.today, opened, issued)
    lock = existing or DutyList()  # how long records stay open (a new list's defaults)
    state: dict = {"made": {}, "users": {}}

    def users(*names: str) -> list[User]:
        known = state["users"]
        if missing := [name for name in names if name not in known]:
            known.update((user.username, user)
                         for user in User.objects.filter(username__in=missing))
        return [known[name] for name in names]

    def fields(entry: Entry, corrected: bool = False) -> dict:
        if "list" not in state:
            state["list"] = DutyList.objects.get(year=year)
            state["items"] = {item.number: item for item in state["list"].items.all()}
        values = dict(kind=entry.kind, date=entry.date, place=entry.place,
                      organiser=entry.organiser, guests=entry.guests, summary=entry.summary,
                      late_reason=entry.late_reason,
                      items=[state["items"][number] for number in entry.items],
                      participants=users(*entry.participants),
                      files=[_upload(entry.evidence, entry)] if entry.evidence else [])
        if corrected:
            values["files"] = []
            if entry.change == "guests":
                values["guests"] = "；".join(filter(None, [
                    entry.guests, "会议议程：传达学习、研究部署、交流发言"]))
            elif entry.change == "summary":
                values["summary"] += "会议明确了责任分工和完成时限，由支部书记牵头抓落实。"
            else:
                values["files"] = [_upload("会议记录.pdf", entry)]
        return values

    def enter(key: int, entry: Entry) -> None:
        values = fields(entry)
        # a reason in case it is late (the service keeps none when it is not): a list whose
        # rules give fewer days than the demo's delays still takes the entry
        values["late_reason"] = values["late_reason"] or LATE_REASONS[1]
        record = service.duty_record_create(by=users(entry.author)[0],
                                            duty_list=state["list"], **values)
        state["made"][key] = record.pk

    def decide(key: int, entry: Entry, accept: bool, opinion: str = "") -> None:
        service.duty_record_review(record=DutyRecord(pk=state["made"][key]),
                                   by=users(_reviewer(entry, key))[0], accept=accept,
                                   opinion=opinion)

    def correct(key: int, entry: Entry) -> None:
        service.duty_record_resubmit(record=DutyRecord(pk=state["made"][key]),
                                     by=users(entry.author)[0],
                                     **fields(entry, corrected=True))

    for key, entry in enumerate(entries):
        past.on(entry.entered, 16, lambda k=key, e=entry: enter(k, e))
        reviewed = days.after(entry.entered, entry.review_after)
        if entry.fate == FIX:
            corrected = days.after(reviewed, entry.fix_after)
            if corrected > service.lock_date(lock, entry.date):
                entry.fate = ACCEPT  # it would be locked by then
        if entry.fate == ACCEPT:
            past.on(reviewed, 10, lambda k=key, e=entry: decide(k, e, True))
            continue
        past.on(reviewed, 10, lambda k=key, e=entry: decide(k, e, False, e.opinion))
        if entry.fate == FIX:
            past.on(corrected, 15, lambda k=key, e=entry: correct(k, e))
            past.on(days.after(corrected, 1 + key % 2), 11,
                    lambda k=key, e=entry: decide(k, e, True))
    return len(entries)
