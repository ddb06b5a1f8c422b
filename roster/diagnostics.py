"""Problems found in the rosters, each pointing at file:line:column in two languages.

Street-office clerks read these, so every diagnostic carries a Chinese message first,
the English after it, and a hint that says how to fix the problem.
"""
from __future__ import annotations

from dataclasses import dataclass, field

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Diagnostic:
    file: str
    line: int
    column: int
    severity: str
    code: str
    zh: str
    en: str
    hint_zh: str = ""
    hint_en: str = ""
    # Where in the file's data it points, e.g. ("assignments", 3, "officer"): tells the loader
    # which entries have errors, so that the checks of a whole roster can leave them out.
    path: tuple = field(default=(), compare=False, repr=False)

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def format(self) -> str:
        label = "错误 error" if self.is_error else "警告 warning"
        text = f"{self.file}:{self.line}:{self.column}: {label}: {self.zh} | {self.en}"
        if self.hint_zh or self.hint_en:
            text += f"\n    提示：{self.hint_zh} | hint: {self.hint_en}"
        return text

    def sort_key(self) -> tuple:
        return (self.file, self.line, self.column, self.code)


@dataclass(frozen=True)
class Skipped:
    """A check that could not run on part of the rosters, and why: fixing that may reveal more."""

    check_zh: str
    check_en: str
    reason_zh: str
    reason_en: str

    def format(self) -> str:
        return f"未检查 not checked: {self.check_zh}：{self.reason_zh} | {self.check_en}: {self.reason_en}"


class RosterError(Exception):
    """Raised when a roster cannot be used: carries every diagnostic found."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = diagnostics
        errors = [d for d in diagnostics if d.is_error]
        super().__init__("\n".join(d.format() for d in errors) or "roster has errors")
