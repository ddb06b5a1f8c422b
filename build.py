#!/usr/bin/env python3
"""The one command a street office needs.

    python build.py [--data DIR] [--out DIR] [--base-url URL] [--forms-url URL]   check, then publish the site
    python build.py check [--data DIR]                                            check the rosters only
    python build.py schema [--out DIR]                                            write the JSON Schemas
"""
from __future__ import annotations

import argparse
import os
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent
PREVIEW_URL = "http://127.0.0.1:8000/"


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期应为 YYYY-MM-DD / expected YYYY-MM-DD, got {text!r}") from None


def _add_roster_options(parser: argparse.ArgumentParser, *, inherit: bool = False) -> None:
    # A subcommand inherits what was given before it ("build.py --data X check").
    default = argparse.SUPPRESS if inherit else None
    parser.add_argument("--data", default=default if inherit else str(ROOT / "data"),
                        help="名单目录 / roster folder (default: data/)")
    parser.add_argument("--today", type=_day, default=default,
                        help="按这一天检查和生成（预览、测试用）/ pretend today is this day (YYYY-MM-DD)")


def _add_build_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", default=str(ROOT / "site"), help="网站输出目录 / output folder (default: site/)")
    parser.add_argument("--base-url", default=os.environ.get("SITE_URL"),
                        help="网站的公开地址，二维码用它（也可设环境变量 SITE_URL）/ public URL of the site, encoded in "
                             f"the QR codes (or set SITE_URL); without it: {PREVIEW_URL} for a local preview")
    parser.add_argument("--forms-url", default=None,
                        help="预约和诉求服务的地址 / URL of the form service (booking, complaints)")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python build.py", description="三官一师公示栏：检查名单并生成网站 / "
                                     "check the rosters and build the notice-board site")
    _add_roster_options(parser)
    _add_build_options(parser)
    sub = parser.add_subparsers(dest="command", metavar="{check,schema}")
    check = sub.add_parser("check", help="只检查名单，不生成网站 / check the rosters only")
    _add_roster_options(check, inherit=True)
    schema = sub.add_parser("schema", help="生成名单文件的 JSON Schema / write the JSON Schemas")
    schema.add_argument("--out", default=str(ROOT / "schema"), help="输出目录 / output folder (default: schema/)")
    return parser


def _report(result) -> None:
    for diagnostic in result.diagnostics:
        print(diagnostic.format(), file=sys.stderr if diagnostic.is_error else sys.stdout)
    for skipped in result.skipped:
        print(skipped.format(), file=sys.stderr if result.errors else sys.stdout)
    errors, warnings = len(result.errors), len(result.warnings)
    if errors:
        print(f"✗ {errors} 个错误，{warnings} 个警告 / {errors} error(s), {warnings} warning(s)", file=sys.stderr)
        if result.skipped:
            print("  改正以上错误后再检查一次：上面“未检查”的部分到时才会检查。\n"
                  "  fix these and check again: the parts marked 'not checked' are checked then.", file=sys.stderr)
    else:
        print(f"✓ 名单没有错误（{warnings} 个警告）/ no errors ({warnings} warning(s))")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "schema":
        from roster.schema import write_schemas
        for path in write_schemas(args.out):
            print(f"wrote {path}")
        return 0
    import roster
    result = roster.load(args.data, today=args.today)
    _report(result)
    if not result.ok:
        if args.command != "check":
            print("网站没有更新，原来的网站保持不变 / the site was NOT published; the previous site is unchanged",
                  file=sys.stderr)
        return 1
    if args.command == "check":
        return 0
    from sitegen import BuildError, build_site
    base_url = args.base_url
    if not base_url:
        base_url = PREVIEW_URL
        print(f"⚠ 没有指定 --base-url：二维码将指向 {PREVIEW_URL}，只能在本机预览，不能打印张贴！\n"
              f"  no --base-url given: QR codes point at {PREVIEW_URL}, fit for a local preview only, not for print.",
              file=sys.stderr)
    try:
        summary = build_site(result.roster, out_dir=Path(args.out), base_url=base_url,
                             forms_url=args.forms_url, today=args.today)
    except BuildError as exc:
        print(f"✗ {exc}", file=sys.stderr)
        print("网站没有更新，原来的网站保持不变 / the site was NOT published; the previous site is unchanged",
              file=sys.stderr)
        return 1
    print(summary)
    return 0


def run(argv: list[str] | None = None) -> int:
    """main() with the last line of defence: a clerk never sees a traceback."""
    try:
        return main(argv)
    except KeyboardInterrupt:
        print("\n已中断，原来的网站保持不变 / interrupted; the previous site is unchanged", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - anything unforeseen still gets words, not a traceback
        if os.environ.get("BOARD_DEBUG"):
            raise
        print(f"内部错误，请把这条信息发给维护人员 / internal error, please report it: {type(exc).__name__}: {exc}\n"
              "（设置 BOARD_DEBUG=1 再运行可看到详细信息 / run with BOARD_DEBUG=1 for details）", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(run())
