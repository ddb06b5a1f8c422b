"""The typed, immutable roster: what officers.yaml and roster.yaml may contain.

Field names follow the glossary in docs/architecture.md; duty fields follow Open Referral HSDS
``schedule`` (freq, interval, byday, bymonthday, opens_at, closes_at, valid_from, valid_to)
so that a duty is an iCalendar RRULE. The JSON Schema for editors is generated from these
classes (``python build.py schema``), so the schema and the checker never disagree.
"""
from __future__ import annotations

import re
from datetime import date, time
from typing import Annotated, Literal

from pydantic import (AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema)
from pydantic_core import PydanticCustomError

from .phones import PhoneError, normalise_phone

ID_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
WEEKDAY_CHARS = "一二三四五六日"  # what follows 周 for each of WEEKDAYS: 周一 … 周日
WEEKDAY_NAMES = {code: f"周{char}" for code, char in zip(WEEKDAYS, WEEKDAY_CHARS)}
BYDAY_PATTERN = r"^([+-]?[1-5])?(MO|TU|WE|TH|FR|SA|SU)$"

# The four roles of 三官一师 and the extra roles places commonly add (the glossary in docs/architecture.md).
BUILTIN_ROLES = {
    "judge": "法官",
    "prosecutor": "检察官",
    "police": "警官",
    "lawyer": "律师",
    "mediator": "调解员",
    "grid-worker": "网格员",
    "counsellor": "心理咨询师",
}
DUTY_SYSTEMS = {"resident": "坐班", "rotation": "轮班", "visiting": "驻点", "reception": "接访"}


def _text(value: object) -> object:
    # Every scalar reaches us as a string; numbers typed by editors arrive as int.
    return str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value


def _id(value: str) -> str:
    if not re.match(ID_PATTERN, value):
        raise PydanticCustomError("id_format", "id {value!r} is not URL-safe", {"value": value})
    return value


def _phone(value: object) -> str:
    try:
        return normalise_phone(value)
    except PhoneError as exc:
        raise PydanticCustomError("phone", "{en}", {"zh": exc.zh, "en": exc.en}) from None


def normalise_contact(value: object) -> str:
    """Where a notice reaches someone: a webhook URL, an e-mail address, or a phone for the gateway.
    One rule for the roster's department contacts and a staff account's contact; raises PhoneError."""
    text = str(_text(value)).strip()
    if re.fullmatch(r"https?://[^\s]+", text) or re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", text):
        return text
    try:
        return normalise_phone(text)
    except PhoneError:
        raise PhoneError(f"“{text}”不是手机号、电子邮箱或 https:// 开头的 webhook 地址",
                         f'"{text}" is not a mobile phone, an e-mail address or an https:// webhook URL') from None


def _contact(value: object) -> str:
    try:
        return normalise_contact(value)
    except PhoneError as exc:
        raise PydanticCustomError("contact", "{en}", {"zh": exc.zh, "en": exc.en}) from None


def _time(value: object) -> object:
    if isinstance(value, time):
        return value
    text = str(value).strip().replace("：", ":").strip("“”\"'‘’")
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", text)
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise PydanticCustomError("time_format", "{value!r} is not a time of day HH:MM", {"value": str(value)})
    return time(int(match.group(1)), int(match.group(2)))


def _byday(value: str) -> str:
    value = value.strip().upper()
    if not re.match(BYDAY_PATTERN, value):
        raise PydanticCustomError("byday_format", "{value!r} is not a weekday code", {"value": value})
    return value


def _month(value: object) -> str:
    text = str(value).strip()
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", text)
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise PydanticCustomError("month_format", "{value!r} is not a month YYYY-MM", {"value": text})
    return f"{match.group(1)}-{int(match.group(2)):02d}"


Text = Annotated[str, BeforeValidator(_text), Field(min_length=1, max_length=200)]
# A reference to an id defined elsewhere: its format is checked where the id is defined, and
# whether it exists by the reference check, so one bad id gives one message, not one per use.
Ref = Annotated[str, BeforeValidator(_text), Field(min_length=1, max_length=64)]
Id = Annotated[str, BeforeValidator(_text), AfterValidator(_id),
               WithJsonSchema({"type": "string", "pattern": ID_PATTERN, "maxLength": 64,
                               "description": "小写字母、数字和连字符，用于网址 / lowercase letters, digits and hyphens (used in URLs)"})]
Phone = Annotated[str, BeforeValidator(_phone),
                  WithJsonSchema({"type": ["string", "integer"],
                                  "description": "手机、带区号的座机（可带分机）或热线 / mobile, landline with area code, or hotline"})]
Contact = Annotated[str, BeforeValidator(_contact), Field(max_length=300),
                    WithJsonSchema({"type": ["string", "integer"], "maxLength": 300,
                                    "description": "手机号（经短信网关）、电子邮箱，或 https:// 开头的 webhook 地址 / "
                                                   "a mobile phone (through the SMS gateway), an e-mail address or a webhook URL"})]
TimeOfDay = Annotated[time, BeforeValidator(_time),
                      WithJsonSchema({"type": "string", "pattern": r"^([01]?\d|2[0-3])[:：][0-5]\d$",
                                      "description": "24 小时制 HH:MM / 24-hour HH:MM"})]
ByDay = Annotated[str, BeforeValidator(_text), AfterValidator(_byday),
                  WithJsonSchema({"type": "string", "pattern": r"^([+-]?[1-5])?(MO|TU|WE|TH|FR|SA|SU)$",
                                  "description": "MO…SU；每月第几个用 1TH（第一个周四）、-1FR（最后一个周五）"})]
Month = Annotated[str, BeforeValidator(_month),
                  WithJsonSchema({"type": "string", "pattern": r"^\d{4}-\d{1,2}$", "description": "YYYY-MM"})]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, populate_by_name=True)


# ---------------------------------------------------------------- officers.yaml

class Officer(Model):
    """One person on the board: judge, prosecutor, police officer, lawyer or an extra role."""

    id: Id
    name: Annotated[str, BeforeValidator(_text), Field(min_length=1, max_length=40)]
    role: Ref = Field(description="judge / prosecutor / police / lawyer，或 settings.roles 中的角色")
    organisation: Text = Field(description="所在单位，如 某某区人民法院")
    title: Text | None = Field(default=None, description="职务，如 员额法官、副所长")
    phone: Phone = Field(description="公开的办公电话（不要填私人手机）")
    photo: Text | None = Field(default=None, description="照片文件，相对于数据目录，如 photos/wang-fang.jpg；不填则显示姓氏头像")
    specialties: tuple[Text, ...] = Field(default=(), description="擅长领域")
    serving_since: date | None = Field(default=None, description="何时开始服务本社区 YYYY-MM-DD")
    notify: Contact | None = Field(
        default=None, exclude=True,  # private: no dump of the model (the open data) carries it
        description="预约通知发到哪里（不公开）：电子邮箱、https:// 开头的 webhook 地址或手机号（经短信网关）/ "
                                  "where booking notices go (never published): an e-mail address, a webhook URL or a phone")


class OfficersFile(Model):
    officers: tuple[Officer, ...] = Field(min_length=1)


# ---------------------------------------------------------------- roster.yaml

class RoleDef(Model):
    id: Id
    name: Text


class Category(Model):
    code: Id
    name: Text


DEFAULT_CATEGORIES = tuple(Category(code=c, name=n) for c, n in (
    ("marriage-family", "婚姻家庭"), ("neighbours", "邻里纠纷"), ("labour", "劳资纠纷"), ("property-management", "物业纠纷"),
    ("housing-land", "房屋土地"), ("consumer", "消费维权"), ("public-safety", "治安隐患"), ("legal-advice", "法律咨询"),
    ("other", "其他")))


DEFAULT_DEPARTMENTS = ("综治办", "司法所", "派出所", "信访办", "城管", "劳动监察", "市场监管", "网格中心")
# Working days allowed in each state before a case is overdue (限时办结); per category overridable.
# The states of a case (forms_app/cases/flow.py gives their names and moves); all but the last two
# have a time limit, in working days, that settings.deadlines may change.
CASE_STATES = ("registered", "accepted", "dispatched", "handling", "resolved", "followed_up", "archived", "rejected")
DEFAULT_DEADLINES = {"registered": 1, "accepted": 1, "dispatched": 3, "handling": 10, "resolved": 5, "followed_up": 5}
CaseState = Literal[tuple(DEFAULT_DEADLINES)]


class Settings(Model):
    required_roles: tuple[Ref, ...] = Field(
        default=("judge", "prosecutor", "police", "lawyer"),
        description="每个站点必须有的角色，默认三官一师 / roles every station must have")
    roles: tuple[RoleDef, ...] = Field(default=(), description="额外的角色，如 三官两师 的第二类师 / extra roles")
    slot_minutes: int = Field(default=30, ge=5, le=240, description="预约时段长度（分钟）")
    slot_capacity: int = Field(default=1, ge=1, le=100, description="每个时段可预约人数")
    booking_days: int = Field(default=14, ge=1, le=90, description="可以预约未来多少天")
    booking_days_by_role: dict[Ref, Annotated[int, Field(ge=1, le=90)]] = Field(
        default_factory=dict,
        description="某个角色可以预约未来多少天，如 judge: 45；不写的角色用 booking_days。"
                    "无论写多少天，每个人至少可以约到自己的下一次值班 / booking window per role; "
                    "everyone can always be booked up to their next duty")
    min_notice_minutes: int = Field(default=120, ge=0, le=7 * 24 * 60, description="至少提前多少分钟预约、改约或取消")
    bring: Text = Field(default="身份证；与事情有关的合同、票据、照片、聊天记录等材料",
                        description="预约成功后提醒居民带什么")
    categories: tuple[Category, ...] = Field(default=DEFAULT_CATEGORIES, min_length=1,
                                             description="诉求和预约的事项分类 / categories of complaints and appointments")
    departments: tuple[Text, ...] = Field(default=DEFAULT_DEPARTMENTS, min_length=1,
                                          description="吹哨可以派给的部门 / departments a case can be dispatched to")
    department_contacts: dict[Text, dict[Ref, Contact]] = Field(
        default_factory=dict,
        description="吹哨通知发给部门的谁：部门 → 街道或站点编号 → 手机、电子邮箱或 webhook 地址；站点的优先于街道的，"
                    "如 派出所: {wenchang: 13800000000, wenhua-lu: pcs@example.gov.cn} / who a dispatch reaches in each "
                    "department, per street or station (a station's contact before its street's)")
    deadlines: dict[CaseState, Annotated[int, Field(ge=0, le=90)]] = Field(
        default_factory=lambda: dict(DEFAULT_DEADLINES),
        description="各环节限时（工作日）/ working days allowed per case state")
    category_deadlines: dict[Ref, dict[CaseState, Annotated[int, Field(ge=0, le=90)]]] = Field(
        default_factory=dict, description="某类诉求的特别限时，如 labour: {handling: 5}")
    reopen_days: int = Field(default=30, ge=0, le=365, description="办结后多少天内可以重新办理")
    arrival_minutes: int = Field(default=30, ge=5, le=240, description="需要到场的吹哨，多少分钟内到场算及时")
    reminder_hour: int = Field(default=18, ge=0, le=23,
                               description="预约前一天几点提醒居民（北京时间，0–23 点）/ "
                                           "the hour of the day before a booking when the resident is reminded")
    ranking_min_cases: int = Field(default=3, ge=1, le=1000,
                                   description="当月至少有多少个案件的站点才参加排名 / cases a station needs to be ranked")
    notify: dict[Literal["resident", "officer", "department", "staff", "duty_room"],
                 Literal["log", "email", "webhook"]] = Field(
        default_factory=dict,
        description="每类收件人的通知渠道，如 resident: webhook（接短信网关）；不写的用 log。地址和密钥只来自环境变量 / "
                    "the channel per recipient kind (log if unset); addresses and secrets only from the environment")


class District(Model):
    id: Id
    name: Text
    hotline: Phone | None = None


class Street(Model):
    id: Id
    name: Text
    district: Ref
    hotline: Phone
    address: Text | None = None


class Location(Model):
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class OpeningHours(Model):
    byday: tuple[ByDay, ...] = Field(min_length=1)
    opens_at: TimeOfDay
    closes_at: TimeOfDay


class StationPhone(Model):
    label: Text
    number: Phone


class Vacancy(Model):
    """A required role nobody holds for now: a warning, not an error, until the expected day."""

    role: Ref = Field(description="暂缺的角色，如 lawyer / the role nobody holds for now")
    reason: Text = Field(description="原因，如 原律师调离，新律师待司法所指派 / why")
    expected: date = Field(description="预计何时有人到岗 YYYY-MM-DD；过了这一天仍缺人就是错误 / "
                                       "when someone is expected; after it the missing role is an error again")


class Station(Model):
    id: Id
    name: Text
    street: Ref
    kind: Text = Field(default="社区", description="社区 / 村 / 驿站 / 综治中心 / 警务室")
    address: Text
    location: Location | None = Field(default=None, description="坐标（GCJ-02，用于地图链接）")
    opening_hours: tuple[OpeningHours, ...] = ()
    phones: tuple[StationPhone, ...] = ()
    vacancies: tuple[Vacancy, ...] = Field(default=(), description="暂缺的岗位（公示为“××岗位暂缺”）/ roles vacant for now")
    notify: Contact | None = Field(
        default=None, exclude=True,  # private: no dump of the model (the open data) carries it
        description="值班室收新诉求通知的地方（不公开）：手机号（经短信网关）、电子邮箱或 https:// 开头的 webhook 地址 / "
                                  "where the station's duty room hears of a new case (never published)")


class Duty(Model):
    """A recurring or dated duty; RRULE semantics, HSDS schedule field names."""

    system: Literal["resident", "rotation", "visiting", "reception"] = Field(
        description="resident 坐班 / rotation 轮班 / visiting 驻点 / reception 接访")
    freq: Literal["daily", "weekly", "monthly"] | None = Field(
        default=None, description="重复频率；只在固定日期值班时不填，改填 dates")
    interval: int = Field(default=1, ge=1, le=12, description="每隔几周/几月，如轮班每两周一次填 2")
    byday: tuple[ByDay, ...] = Field(default=(), description="MO…SU；按月时 1TH=第一个周四，-1FR=最后一个周五")
    bymonthday: tuple[Annotated[int, Field(ge=-31, le=31)], ...] = Field(default=(), description="按月时的日期，如 15")
    dates: tuple[date, ...] = Field(default=(), description="固定日期（接访日等）YYYY-MM-DD")
    opens_at: TimeOfDay
    closes_at: TimeOfDay
    valid_from: date | None = Field(default=None, description="生效日期；隔周轮班以此日所在周为第一周")
    valid_to: date | None = None
    place: Text | None = Field(default=None, description="地点，如 调解室")
    note: Text | None = None


class Predecessor(Model):
    """Who held this role at this station before: the roster keeps no history of its own."""

    officer: Text = Field(description="前任的编号或姓名 / the previous holder's id or name")
    serving_since: date | None = Field(default=None, description="前任何时开始服务本社区 / when the previous holder began")
    until: date | None = Field(default=None, description="前任最后一天（不填：接任者的 serving_since）/ "
                                                         "the previous holder's last day (default: the new one's serving_since)")


class Assignment(Model):
    officer: Ref
    station: Ref
    duties: tuple[Duty, ...] = Field(min_length=1)
    replaces: Predecessor | None = Field(default=None, description="接替了谁（用于检查“至少一年不变动”）/ "
                                                                   "whom this officer replaced (for the one-year rule)")


class DutyException(Model):
    """Dates on which duty does not happen: public holidays, leave, closures."""

    from_: date = Field(alias="from")
    to: date | None = Field(default=None, description="结束日期（含）；只停一天可不填")
    reason: Text
    station: Ref | None = Field(default=None, description="只对某个站点生效；不填表示所有站点")
    officer: Ref | None = Field(default=None, description="只对某个人生效（请假）；不填表示所有人")

    @property
    def until(self) -> date:
        return self.to or self.from_


class DutyTableEntry(Model):
    date: date
    officer: Ref
    opens_at: TimeOfDay
    closes_at: TimeOfDay
    system: Literal["resident", "rotation", "visiting", "reception"] = "rotation"
    note: Text | None = None


class DutyTable(Model):
    """A month's duty table, as the seeds ask departments to file by the 30th."""

    month: Month
    station: Ref
    entries: tuple[DutyTableEntry, ...] = Field(min_length=1)


class RosterFile(Model):
    settings: Settings = Settings()
    districts: tuple[District, ...] = Field(min_length=1)
    streets: tuple[Street, ...] = Field(min_length=1)
    stations: tuple[Station, ...] = Field(min_length=1)
    assignments: tuple[Assignment, ...] = ()
    exceptions: tuple[DutyException, ...] = ()
    duty_tables: tuple[DutyTable, ...] = ()
