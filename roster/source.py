"""Read one YAML file into plain data plus the position of every key and value.

PyYAML is used only to compose nodes: we build the Python values ourselves so that
duplicate keys are caught (PyYAML would silently keep the last one), every scalar stays
a string (YAML 1.1 reads ``08:30`` as 510 and ``0755`` as an octal number), and each
path such as ``("stations", 3, "phones", 0)`` maps back to a line and column.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from .diagnostics import ERROR, Diagnostic

@dataclass
class Source:
    """One parsed file: its data and where each part of it was written."""

    file: str
    data: object = None
    values: dict[tuple, tuple[int, int]] = field(default_factory=dict)
    keys: dict[tuple, tuple[int, int]] = field(default_factory=dict)
    ok: bool = False
    # section → index in the file of each entry of a model that left some entries out (see
    # roster/salvage.py): paths are numbered like that model's lists and told in the file's.
    numbering: dict[str, tuple[int, ...]] = field(default_factory=dict)

    def renumbered(self, numbering: dict[str, tuple[int, ...]]) -> "Source":
        """The same file, for paths numbered like a model whose lists keep only some entries."""
        return replace(self, numbering=dict(numbering))

    def as_written(self) -> "Source":
        """The same file, for paths numbered as in the file."""
        return self.renumbered({})

    def in_file(self, path: tuple) -> tuple:
        """``path`` as numbered in the file itself."""
        path = tuple(path)
        if len(path) >= 2 and path[0] in self.numbering and isinstance(path[1], int):
            return (path[0], self.numbering[path[0]][path[1]]) + path[2:]
        return path

    def position(self, path: tuple, *, key: bool = False) -> tuple[int, int]:
        """The line and column of ``path``, or of its nearest written ancestor."""
        path = self.in_file(path)
        while True:
            table = self.keys if key and path in self.keys else self.values
            if path in table:
                return table[path]
            if not path:
                return (1, 1)
            path = path[:-1]
            key = False

    def has(self, path: tuple) -> bool:
        return self.in_file(path) in self.values

    def diagnostic(self, path: tuple, code: str, zh: str, en: str, hint_zh: str = "",
                   hint_en: str = "", *, severity: str = ERROR, key: bool = False) -> Diagnostic:
        line, column = self.position(path, key=key)
        return Diagnostic(self.file, line, column, severity, code, zh, en, hint_zh, hint_en, path=self.in_file(path))


_NULL_TAG = "tag:yaml.org,2002:null"

# PyYAML's problem texts, translated for clerks; matched by substring.
_YAML_PROBLEMS = [
    ("found character '\\t'", "这里用了 Tab 键缩进，YAML 只能用空格缩进", "a tab is used for indentation; YAML allows spaces only",
     "把这一行开头的 Tab 换成空格（通常每层 2 个空格）", "replace the tab at the start of this line with spaces (usually 2 per level)"),
    ("mapping values are not allowed here", "这里不能出现冒号（可能是这一行比上一行多缩进了，或值里有冒号没加引号）",
     "a colon is not allowed here (this line may be indented more than the line above, or a value with a colon lacks quotes)",
     "同一层的字段必须左边对齐；值里含冒号时把整个值用引号括起来，如 \"08:30\"",
     "fields of the same level must start in the same column; quote values that contain a colon, e.g. \"08:30\""),
    ("could not find expected ':'", "找不到应有的冒号", "an expected ':' is missing",
     "每个字段写成 “键: 值”，冒号后加空格", "write each field as 'key: value' with a space after the colon"),
    ("did not find expected key", "缩进不一致，这一行和上一级对不齐", "the indentation does not line up",
     "同一层的字段必须左边对齐；列表项以 “- ” 开头", "fields of the same level must start in the same column; list items start with '- '"),
    ("expected <block end>", "这一行和上一级对不齐（缩进不一致，或上一行的引号没有闭合）",
     "this line does not line up with the level above (inconsistent indentation, or an unclosed quote before it)",
     "同一层的字段必须左边对齐；检查上一行的引号是否成对", "fields of the same level must start in the same column; check that quotes before it are closed"),
    ("expected ',' or ']'", "方括号 [ 没有闭合，或列表的项之间少了逗号", "a [ bracket is not closed, or a comma is missing between items",
     "检查这一行之前的 [ 是否有对应的 ]", "check that every [ before this line has its ]"),
    ("expected ',' or '}'", "花括号 { 没有闭合，或项之间少了逗号", "a { brace is not closed, or a comma is missing between items",
     "检查这一行之前的 { 是否有对应的 }", "check that every { before this line has its }"),
    ("did not find expected '-' indicator", "列表缩进不一致", "the list indentation does not line up",
     "同一列表的每一项 “- ” 必须对齐", "every '- ' of one list must start in the same column"),
    ("found undefined alias", "引用了未定义的锚点（*名称）", "an undefined alias (*name) is used",
     "先用 &名称 定义，或去掉 *", "define it with &name first, or remove the *"),
    ("found unexpected end of stream", "文件提前结束（引号或括号没有闭合）", "the file ends early (an unclosed quote or bracket)",
     "检查这一行之前的引号和括号是否成对", "check that quotes and brackets before this line are closed"),
    ("expected a single document", "文件里只能有一个文档（不要用 ---）", "the file may hold one document only (no ---)",
     "删除多余的 “---” 分隔线", "remove the extra '---' separator"),
    ("found character", "这里有一个 YAML 不允许的字符", "a character YAML does not allow here",
     "值以 @ ` % 等符号开头时，用引号括起来", "quote values that start with @, ` or %"),
]


# Chinese input methods type these instead of YAML's ASCII punctuation (messages.py names them too).
FULL_WIDTH = "：，“”‘’　；、"


def code_part(line: str) -> str:
    """The line without its comment: a full-width comma in a comment breaks nothing."""
    quote = None
    for index, ch in enumerate(line):
        if quote:
            quote = None if ch == quote else quote
        elif ch in "\"'" and (index == 0 or line[index - 1] in " \t[{,:-"):
            quote = ch
        elif ch == "#" and (index == 0 or line[index - 1] in " \t"):
            return line[:index]
    return line


def _punctuation(file: str, text: str, mark) -> Diagnostic | None:
    """A syntax error near a full-width colon, comma, quote or space: name it as the cause."""
    lines = text.splitlines()
    for index in (mark.line, mark.line - 1):
        if 0 <= index < len(lines):
            code = code_part(lines[index])
            found = [(col, ch) for col, ch in enumerate(code) if ch in FULL_WIDTH]
            # A full-width character inside a quoted or plain value is fine; in the key part, or
            # as indentation, or right after a key it breaks the YAML.
            for col, ch in found:
                before = code[:col]
                if ch == "　" and not before.strip() or ch in "：，" or (ch in "“”‘’" and before.rstrip().endswith(":")):
                    name = {"　": "全角空格", "：": "中文冒号", "，": "中文逗号", "；": "中文分号"}.get(ch, "中文引号")
                    return Diagnostic(file, index + 1, col + 1, ERROR, "yaml-syntax",
                                      f"YAML 格式错误：这里用了{name}“{ch}”",
                                      f"YAML syntax error: a full-width (Chinese) '{ch}' is used here",
                                      "把中文标点改成英文标点：冒号 :，逗号 ,，引号 \"，缩进用半角空格",
                                      "type ASCII punctuation: colon :, comma , and quote \", and indent with ASCII spaces")
    return None


# Problems whose cause is where something was opened (PyYAML's context mark), not where the parser
# gave up (its problem mark, often on a later line): the line to fix is the one that opened it.
_UNCLOSED = {
    "while parsing a flow sequence": ("方括号 [ 没有闭合（或列表的项之间少了逗号）", "[ bracket opened here is not closed (or a comma is missing between items)", "在这一行的列表末尾补上 ]，如 byday: [MO, TU]；项之间用英文逗号隔开",
                                      "close the list on this line with ], e.g. byday: [MO, TU]; separate items with ASCII commas"),
    "while parsing a flow mapping": ("花括号 { 没有闭合（或项之间少了逗号）", "{ brace opened here is not closed (or a comma is missing between items)", "在这一行的末尾补上 }，如 {byday: [SA], opens_at: \"09:00\"}",
                                     "close it on this line with }, e.g. {byday: [SA], opens_at: \"09:00\"}"),
    "while scanning a quoted scalar": ("引号没有闭合", "quote opened here is not closed", "在这一行的值末尾补上同样的引号，如 \"08:30\"",
                                       "end the value on this line with the same quote, e.g. \"08:30\""),
}


def _unclosed(file: str, exc: yaml.MarkedYAMLError) -> Diagnostic | None:
    opened = _UNCLOSED.get(str(exc.context or ""))
    mark = exc.context_mark
    if not opened or mark is None:
        return None
    what_zh, what_en, hint_zh, hint_en = opened
    gave_up = exc.problem_mark.line + 1 if exc.problem_mark else mark.line + 1
    return Diagnostic(file, mark.line + 1, mark.column + 1, ERROR, "yaml-syntax",
                      f"YAML 格式错误：这一行的{what_zh}，读到第 {gave_up} 行才发现",
                      f"YAML syntax error: the {what_en}; noticed on line {gave_up} ({exc.problem})", hint_zh, hint_en)


def _unbalanced_quote(file: str, text: str, mark) -> Diagnostic | None:
    """A quote left open on the line before the error: the quoted value swallowed the line break,
    so PyYAML complains about the next line (its indentation, a colon) instead."""
    lines = text.splitlines()
    for index in (mark.line - 1, mark.line):
        if 0 <= index < len(lines):
            code = code_part(lines[index])
            for quote in "\"'":
                if code.count(quote) % 2 and (index < mark.line or code.rfind(quote) < mark.column):
                    column = code.rfind(quote) if index < mark.line else code.find(quote)
                    return Diagnostic(file, index + 1, column + 1, ERROR, "yaml-syntax",
                                      f"YAML 格式错误：这一行的引号 {quote} 没有闭合，读到第 {mark.line + 1} 行才发现",
                                      f"YAML syntax error: the quote {quote} on this line is not closed; noticed on line "
                                      f"{mark.line + 1}", "在这一行的值末尾补上同样的引号，如 \"08:30\"",
                                      "end the value on this line with the same quote, e.g. \"08:30\"")
    return None


def _yaml_error(file: str, exc: yaml.MarkedYAMLError, text: str = "") -> Diagnostic:
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = str(exc.problem or exc.context or exc)
    unclosed = _unclosed(file, exc)
    if unclosed:
        return unclosed
    # a tab is the cause wherever it stands; a full-width comma on the line before it is not
    if mark and text and "found character '\\t'" not in problem:
        blamed = _unbalanced_quote(file, text, mark) or _punctuation(file, text, mark)
        if blamed:
            return blamed
    for needle, zh, en, hint_zh, hint_en in _YAML_PROBLEMS:
        if needle in problem:
            return Diagnostic(file, line, column, ERROR, "yaml-syntax", f"YAML 格式错误：{zh}",
                              f"YAML syntax error: {en} ({problem})", hint_zh, hint_en)
    return Diagnostic(file, line, column, ERROR, "yaml-syntax", "YAML 格式错误", f"YAML syntax error: {problem}",
                      "检查这一行和上一行的缩进、冒号和引号", "check indentation, colons and quotes on this line and the one before")


def _decode(file: str, raw: bytes) -> tuple[str | None, Diagnostic | None]:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = len(before) - (before.rfind(b"\n") + 1) + 1
        return None, Diagnostic(
            file, line, column, ERROR, "encoding", "文件不是 UTF-8 编码（可能是 GBK/ANSI）",
            "the file is not UTF-8 encoded (perhaps GBK/ANSI)",
            "用 VS Code 或记事本“另存为”，编码选 UTF-8", "re-save the file as UTF-8 (e.g. 'Save as' in VS Code or Notepad)")


# libyaml composes a city's roster ten times faster than PyYAML's Python parser; its nodes carry
# the same line and column marks.
FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path, display: str) -> tuple[Source, list[Diagnostic]]:
    source = Source(display)
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        return source, [Diagnostic(display, 1, 1, ERROR, "missing-file", "找不到文件", "file not found",
                                   f"在数据目录里创建 {Path(path).name}", f"create {Path(path).name} in the data folder")]
    except OSError as exc:
        return source, [Diagnostic(display, 1, 1, ERROR, "unreadable", "无法读取文件",
                                   f"cannot read the file: {exc.strerror}", "检查文件权限", "check the file permissions")]
    text, problem = _decode(display, raw)
    if problem:
        return source, [problem]
    if not text.strip() or all(l.strip().startswith("#") or not l.strip() for l in text.splitlines()):
        return source, [Diagnostic(display, 1, 1, ERROR, "empty-file", "文件是空的", "the file is empty",
                                   "参照 data/ 中的示例文件填写内容", "fill it in following the example files in data/")]
    try:
        node = yaml.compose(text, Loader=FAST_LOADER)
    except yaml.YAMLError:
        node = None  # the pure-Python parser below words syntax errors the way the linter explains them
    try:
        if node is None:
            node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        return source, [_yaml_error(display, exc, text)]
    except yaml.YAMLError as exc:  # errors without a mark are rare but possible
        return source, [Diagnostic(display, 1, 1, ERROR, "yaml-syntax", "YAML 格式错误", f"YAML syntax error: {exc}")]
    diagnostics: list[Diagnostic] = []
    source.data = _build(node, (), source, diagnostics)
    source.ok = True
    return source, diagnostics


def _build(node: yaml.Node, path: tuple, source: Source, diagnostics: list[Diagnostic]) -> object:
    source.values[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if len(path) > 30:  # only a self-referencing alias nests this deep
        diagnostics.append(Diagnostic(source.file, *source.values[path], ERROR, "too-deep", "嵌套过深（锚点引用了自己？）",
                                      "nested too deeply (an alias that refers to itself?)", "去掉循环引用的 *锚点", "remove the recursive alias"))
        return None
    if isinstance(node, yaml.ScalarNode):
        if node.tag == _NULL_TAG and not node.style:
            return None
        return node.value
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, path + (i,), source, diagnostics) for i, item in enumerate(node.value)]
    result: dict[str, object] = {}
    for key_node, value_node in node.value:
        line, column = key_node.start_mark.line + 1, key_node.start_mark.column + 1
        if not isinstance(key_node, yaml.ScalarNode):
            diagnostics.append(Diagnostic(source.file, line, column, ERROR, "bad-key", "键必须是简单的文字",
                                          "a key must be plain text", "把这一项写成 “键: 值”", "write this entry as 'key: value'"))
            continue
        key = key_node.value
        if key in result:
            first_line = source.keys[path + (key,)][0]
            diagnostics.append(Diagnostic(
                source.file, line, column, ERROR, "duplicate-key",
                f"键“{key}”重复出现（第一次在第 {first_line} 行），后一个会覆盖前一个",
                f'duplicate key "{key}" (first on line {first_line}); the later one would silently win',
                "删除其中一个，或把内容合并到一处", "remove one of them or merge them"))
            continue
        source.keys[path + (key,)] = (line, column)
        result[key] = _build(value_node, path + (key,), source, diagnostics)
    return result
