"""Problems found in the rosters, each pointing at file:line:column in two languages.

Street-office clerks read these, so every diagnostic carries a Chinese message first,
the English after it, and a hint that says how to fix the problem.
"""
from __future__ import annotations

from dataclasses import dataclass

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


class RosterError(Exception):
    """Raised when a roster cannot be used: carries every diagnostic found."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = diagnostics
        errors = [d for d in diagnostics if d.is_error]
        super().__init__("\n".join(d.format() for d in errors) or "roster has errors")
