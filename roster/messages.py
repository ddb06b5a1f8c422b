"""Pydantic's validation errors, told to a clerk: Chinese first, English after, with a hint."""
from __future__ import annotations

import difflib
import types
import typing

from pydantic import BaseModel, ValidationError

from .diagnostics import Diagnostic
from .model import DUTY_SYSTEMS
from .phones import phone_hint
from .source import FULL_WIDTH, Source

LITERAL_MEANINGS = {"system": DUTY_SYSTEMS, "freq": {"daily": "每天", "weekly": "每周", "monthly": "每月"}}
_KIND_ZH = {"list": "列表（每项以 “- ” 开头）", "mapping": "“键: 值”形式的映射", "text": "一段文字",
            "number": "数字", "date": "日期 YYYY-MM-DD", "yes/no": "true 或 false"}


def _unwrap(annotation):
    """Strip Annotated/Optional wrappers down to a model class or a tuple's item type."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            annotation = args[0]
        else:
            return annotation


def model_at(root: type[BaseModel], path: tuple) -> type[BaseModel] | None:
    """The model class that validates the mapping found at ``path`` under ``root``."""
    current = root
    for part in path:
        if isinstance(part, int):
            if typing.get_origin(current) is tuple:
                current = _unwrap(typing.get_args(current)[0])
                continue
            return None
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        fields = {(f.alias or name): f for name, f in current.model_fields.items()}
        if part not in fields:
            return None
        current = _unwrap(fields[part].annotation)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _field_names(model: type[BaseModel] | None) -> list[str]:
    if model is None:
        return []
    return [(f.alias or name) for name, f in model.model_fields.items()]


def _describe(path: tuple) -> str:
    return ".".join(str(p) for p in path if not isinstance(p, int)) or "(top)"


def _translate(error: dict, root: type[BaseModel], source: Source) -> tuple[tuple, bool, str, str, str, str]:
    """Return (path, point_at_key, zh, en, hint_zh, hint_en) for one pydantic error."""
    loc = tuple(error["loc"])
    kind = error["type"]
    ctx = error.get("ctx") or {}
    value = error.get("input")
    name = str(loc[-1]) if loc else ""
    if kind == "missing":
        parent = loc[:-1]
        return (parent, False, f"缺少必填字段“{name}”", f'required field "{name}" is missing',
                f"在这一项下面加上一行 “{name}: …”", f"add a line '{name}: …' to this entry")
    if kind == "extra_forbidden":
        allowed = _field_names(model_at(root, loc[:-1]))
        close = difflib.get_close_matches(name, allowed, n=1, cutoff=0.5)
        if close:
            hint_zh, hint_en = f"是不是想写“{close[0]}”？", f'did you mean "{close[0]}"?'
        else:
            hint_zh = "这里可以用的字段：" + "、".join(allowed)
            hint_en = "fields allowed here: " + ", ".join(allowed)
        return (loc, True, f"未知字段“{name}”", f'unknown key "{name}"', hint_zh, hint_en)
    if kind == "phone":
        hz, he = phone_hint()
        return (loc, False, ctx["zh"], ctx["en"], hz, he)
    if kind == "contact":
        return (loc, False, ctx["zh"], ctx["en"], "写手机号如 13800000000、电子邮箱如 pcs@example.gov.cn，"
                "或 https:// 开头的地址", "write a mobile such as 13800000000, an e-mail such as pcs@example.gov.cn, "
                "or an https:// address")
    if kind == "id_format":
        return (loc, False, f"编号“{value}”不能用在网址里", f'id "{value}" is not URL-safe',
                "编号只用小写英文字母、数字和连字符，如 wang-fang 或 wenhua-lu",
                "use lowercase letters, digits and hyphens only, e.g. wang-fang or wenhua-lu")
    if kind == "time_format":
        return (loc, False, f"时间“{value}”无效", f'"{value}" is not a valid time',
                "用 24 小时制 HH:MM，如 08:30 或 17:00", "use 24-hour HH:MM such as 08:30 or 17:00")
    if kind == "byday_format":
        return (loc, False, f"星期“{value}”无效", f'"{value}" is not a weekday code',
                "用 MO TU WE TH FR SA SU；按月值班写 1TH（第一个周四）或 -1FR（最后一个周五）",
                "use MO TU WE TH FR SA SU; for monthly duty 1TH (first Thursday) or -1FR (last Friday)")
    if kind == "month_format":
        return (loc, False, f"月份“{value}”无效", f'"{value}" is not a month', "写成 YYYY-MM，如 2026-12",
                "write it as YYYY-MM, e.g. 2026-12")
    if kind == "literal_error":
        choices = LITERAL_MEANINGS.get(name, {})
        wanted = next((code for code, meaning in choices.items() if meaning == str(value).strip()), None)
        listed_zh = "、".join(f"{code}（{meaning}）" for code, meaning in choices.items()) or ctx.get("expected", "")
        listed_en = ", ".join(choices) or ctx.get("expected", "")
        if wanted:
            return (loc, False, f"“{value}”要写成英文代码“{wanted}”", f'write "{wanted}" instead of "{value}"',
                    f"可选：{listed_zh}", f"allowed: {listed_en}")
        return (loc, False, f"“{value}”不是可选的值", f'"{value}" is not one of the allowed values',
                f"可选：{listed_zh}", f"allowed: {listed_en}")
    if kind in ("tuple_type", "list_type"):
        return (loc, False, f"“{name}”应该是{_KIND_ZH['list']}", f'"{name}" must be a list',
                "每一项单独一行，以 “- ” 开头；或写成 [a, b]", "put each item on its own line starting with '- ', or write [a, b]")
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return (loc, False, f"“{_describe(loc)}”应该是{_KIND_ZH['mapping']}",
                f'"{_describe(loc)}" must be a mapping of key: value pairs',
                "参照示例，在下一行缩进后写 “键: 值”", "follow the example: write 'key: value' lines, indented below")
    if kind in ("string_type",):
        return (loc, False, f"“{name}”应该是{_KIND_ZH['text']}", f'"{name}" must be text',
                "直接写文字，不要写成列表或映射", "write plain text, not a list or mapping")
    if kind in ("string_too_short", "too_short"):
        return (loc, False, f"“{name}”不能为空", f'"{name}" must not be empty', "填上内容，或删掉这一行",
                "fill it in or remove the line")
    if kind in ("string_too_long", "too_long"):
        return (loc, False, f"“{name}”太长了", f'"{name}" is too long', "缩短内容", "shorten it")
    if kind.startswith("date") or kind.startswith("datetime"):
        return (loc, False, f"日期“{value}”无效", f'"{value}" is not a valid date',
                "写成 YYYY-MM-DD，如 2026-10-01，并确认这一天存在", "write YYYY-MM-DD, e.g. 2026-10-01, and make sure the day exists")
    if kind in ("int_parsing", "int_type", "float_parsing", "float_type", "int_from_float"):
        return (loc, False, f"“{name}”应该是数字，现在是“{value}”", f'"{name}" must be a number, not "{value}"',
                "只写数字", "write digits only")
    if kind in ("greater_than_equal", "less_than_equal") and name in ("lat", "lon"):
        return (loc, False, f"坐标“{name}”的值 {value} 超出范围", f'coordinate "{name}" = {value} is out of range',
                "纬度（lat，中国约 18–54）和经度（lon，中国约 73–135）是不是写反了？",
                "are latitude (lat, about 18-54 in China) and longitude (lon, about 73-135) swapped?")
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        bound = ctx.get("ge", ctx.get("le", ctx.get("gt", ctx.get("lt"))))
        return (loc, False, f"“{name}”的值 {value} 超出范围（界限 {bound}）", f'"{name}" = {value} is out of range (limit {bound})',
                "改成合理的数值", "use a value within range")
    if kind == "bool_parsing":
        return (loc, False, f"“{name}”应该是 true 或 false", f'"{name}" must be true or false', "写 true 或 false",
                "write true or false")
    return (loc, False, f"“{name}”的值无效", f'invalid value for "{name}": {error.get("msg")}',
            "参照示例文件修改", "compare with the example files")


def _misspelt(errors: list[dict], root: type[BaseModel]) -> set[tuple]:
    """Paths of missing fields that an unknown key beside them misspells (phnoe → phone).

    One mistake gets one message: the typo, with its "did you mean" hint.
    """
    covered = set()
    for error in errors:
        if error["type"] != "extra_forbidden":
            continue
        loc = tuple(error["loc"])
        allowed = _field_names(model_at(root, loc[:-1]))
        for match in difflib.get_close_matches(str(loc[-1]), allowed, n=1, cutoff=0.5):
            covered.add(loc[:-1] + (match,))
    return covered


def _with_punctuation_hint(value: object, hint_zh: str, hint_en: str) -> tuple[str, str]:
    """Clerks type with a Chinese input method: name the full-width punctuation when it is the cause."""
    found = [c for c in FULL_WIDTH if c in str(value)] if isinstance(value, str) else []
    if not found:
        return hint_zh, hint_en
    marks = "".join(dict.fromkeys(found))
    return (f"这里用了中文标点“{marks}”，请改成英文标点（: , \" 空格）。" + hint_zh,
            f"full-width (Chinese) punctuation {marks} is used here; type ASCII punctuation instead. " + hint_en)


def validation_diagnostics(exc: ValidationError, root: type[BaseModel], source: Source) -> list[Diagnostic]:
    seen: set = set()
    result = []
    errors = exc.errors(include_url=False)
    misspelt = _misspelt(errors, root)
    for error in errors:
        if error["type"] == "missing" and tuple(error["loc"]) in misspelt:
            continue
        # pydantic counts only the items that validated: a list whose items all have errors
        # is "too short" although it is not empty; the item errors say what is wrong.
        if (error["type"] == "too_short" and isinstance(error.get("input"), (list, tuple))
                and len(error["input"]) >= (error.get("ctx") or {}).get("min_length", 1)):
            continue
        path, at_key, zh, en, hint_zh, hint_en = _translate(error, root, source)
        hint_zh, hint_en = _with_punctuation_hint(error.get("input"), hint_zh, hint_en)
        # Union branches (e.g. "str" in ('phone', 'str')) are not places in the file.
        while path and not (source.has(path) or (at_key and path in source.keys)):
            path = path[:-1]
        diagnostic = source.diagnostic(path, error["type"], zh, en, hint_zh, hint_en, key=at_key)
        key = (diagnostic.line, diagnostic.column, diagnostic.zh)
        if key not in seen:
            seen.add(key)
            result.append(diagnostic)
    return result
