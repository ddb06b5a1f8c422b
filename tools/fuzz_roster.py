"""Roster fuzzer: mutate the example rosters and check that ``build.py check`` never shows a traceback.

    python -m tools.fuzz_roster [--runs N] [--seed S] [--source DIR] [--build-sample K]

Each run copies both roster files, applies one mutation to one of them (at the YAML node level
or at the byte level) and runs ``build.py check`` in-process. An outcome is "accepted" (exit 0),
"clean-error" (exit 1, the linter's own diagnostics) or "traceback" (anything else: an exception,
exit 2 "internal error", or "Traceback" in the output).
"""
from __future__ import annotations

import argparse
import contextlib
import copy
import io
import random
import shutil
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
FILES = ("officers.yaml", "roster.yaml")
CLEAN_ERROR = 1  # build.py's exit code for a roster with errors

_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
# Retyped scalar values: int, string, null, bool, date, and strings that look like numbers or times.
_SCALARS = ["0", "42", "-1", "3.5", "", "~", "null", "true", "no", "2026-13-45", "2026-02-30", "1999-01-01",
            "25:61", "08:30", "0755", "1e309", "nan", "x" * 300, "不存在的值", "\u3000", "：", "ｍｏｎ"]
_BYTES = [b"\x00", b"\xef\xbb\xbf", b"\t", b"\r\n", b"\xff\xfe", b"\xc3\x28", b"\xe3\x80\x80",
          "：，；（）".encode(), b"\x1b", b"\n- ", b": ", b"&a *a ", b"!!python/object "]


@dataclass(frozen=True)
class Mutation:
    kind: str
    file: str
    text: bytes


def _nodes(node, parent=None, index=None, out=None):
    """Every node with its parent collection and its place in it."""
    out = [] if out is None else out
    out.append((node, parent, index))
    if isinstance(node, yaml.MappingNode):
        for i, (_key, value) in enumerate(node.value):
            _nodes(value, node, i, out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _nodes(item, node, i, out)
    return out


def _scalar(value: str) -> yaml.ScalarNode:
    return yaml.ScalarNode(_STR if value else "tag:yaml.org,2002:null", value, style=None)


def _set(parent, index, new) -> None:
    if isinstance(parent, yaml.MappingNode):
        parent.value[index] = (parent.value[index][0], new)
    else:
        parent.value[index] = new


def _ids(root) -> list[yaml.ScalarNode]:
    found = []
    for node, _parent, _index in _nodes(root):
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(value, yaml.ScalarNode) and (key.value == "id" or key.value.endswith(("officer", "station",
                                                                                                    "street", "district"))):
                    found.append(value)
                elif isinstance(value, yaml.SequenceNode) and key.value in ("officers", "stations", "streets"):
                    found += [v for v in value.value if isinstance(v, yaml.ScalarNode)]
    return found


def _node_mutation(text: bytes, rng: random.Random) -> tuple[str, bytes] | None:
    root = yaml.compose(text.decode("utf-8"))
    nodes = [n for n in _nodes(root) if n[1] is not None]
    kind = rng.choice(["delete", "duplicate", "retype", "swap", "dangling-id"])
    if kind == "delete":
        _node, parent, index = rng.choice(nodes)
        del parent.value[index]
    elif kind == "duplicate":
        items = [n for n in nodes if isinstance(n[1], yaml.SequenceNode)]
        _node, parent, index = rng.choice(items)
        item = parent.value[index]
        # the same node twice is written as an anchor and an alias; a deep copy is written out in full
        parent.value.insert(index, item if rng.random() < 0.5 else copy.deepcopy(item))
    elif kind == "retype":
        node, parent, index = rng.choice(nodes)
        shape = rng.choice(["scalar", "list", "mapping"])
        if shape == "scalar":
            new = _scalar(rng.choice(_SCALARS))
        elif shape == "list":
            new = yaml.SequenceNode(_SEQ, [node] if rng.random() < 0.5 else [])
        else:
            new = yaml.MappingNode(_MAP, [(_scalar(rng.choice(["id", "name", "x"])), node)] if rng.random() < 0.5 else [])
        _set(parent, index, new)
    elif kind == "swap":
        (a, pa, ia), (b, pb, ib) = rng.sample(nodes, 2)
        if a in _nodes(b) or b in _nodes(a):
            return None
        _set(pa, ia, b)
        _set(pb, ib, a)
    else:
        ids = _ids(root)
        if not ids:
            return None
        target = rng.choice(ids)
        target.value = rng.choice(["ghost", target.value + "-x", "", "Ｘ", target.value.upper()])
    return kind, yaml.serialize(root, allow_unicode=True).encode("utf-8")


def _byte_mutation(text: bytes, rng: random.Random) -> tuple[str, bytes]:
    kind = rng.choice(["truncate", "insert-bytes", "crlf"])
    if kind == "truncate":
        return kind, text[:rng.randrange(len(text) + 1)]
    if kind == "crlf":
        return kind, text.replace(b"\n", b"\r\n")
    at = rng.randrange(len(text) + 1)
    return kind, text[:at] + rng.choice(_BYTES) * rng.randint(1, 3) + text[at:]


def mutate(source: Path, rng: random.Random) -> Mutation:
    """One mutation of one of the two roster files in ``source``."""
    while True:
        name = rng.choice(FILES)
        text = (source / name).read_bytes()
        made = _node_mutation(text, rng) if rng.random() < 0.6 else _byte_mutation(text, rng)
        if made is not None and made[1] != text:
            return Mutation(made[0], name, made[1])


def write_case(source: Path, mutation: Mutation, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        shutil.copyfile(source / name, folder / name)
    for extra in source.iterdir():  # photos and the like, so the checks see the same folder
        if extra.name not in FILES and not (folder / extra.name).exists():
            (shutil.copytree if extra.is_dir() else shutil.copyfile)(extra, folder / extra.name)
    (folder / mutation.file).write_bytes(mutation.text)


def run_build(argv: list[str]) -> tuple[int | None, str, BaseException | None]:
    """(exit code, output, escaped exception) of build.py run in-process."""
    sys.path.insert(0, str(ROOT))
    import build
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            code = build.main(argv)
    except BaseException as exc:  # noqa: BLE001 - the fuzzer reports whatever escapes
        return None, out.getvalue(), exc
    return code, out.getvalue(), None


def outcome(code, output: str, exc) -> str:
    if exc is not None or "Traceback" in output or code not in (0, CLEAN_ERROR):
        return "traceback"
    return "accepted" if code == 0 else "clean-error"


def fuzz(runs: int, seed: int, source: Path, today: str = "2026-11-22", build_sample: int = 0,
         keep: Path | None = None) -> dict:
    rng = random.Random(seed)
    kinds, results, crashes = Counter(), Counter(), []
    built = Counter()
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(runs):
            mutation = mutate(source, rng)
            case = Path(tmp) / f"case-{i}"
            write_case(source, mutation, case)
            code, output, exc = run_build(["check", "--data", str(case), "--today", today])
            result = outcome(code, output, exc)
            kinds[mutation.kind] += 1
            results[(mutation.kind, result)] += 1
            if result == "traceback":
                crashes.append((mutation, f"{type(exc).__name__}: {exc}" if exc else output[-300:]))
                if keep is not None:
                    write_case(source, mutation, keep / f"crash-{i}")
            elif result == "accepted" and built["tried"] < build_sample:
                built["tried"] += 1
                site = Path(tmp) / "site"
                code, output, exc = run_build(["--data", str(case), "--today", today, "--out", str(site),
                                               "--base-url", "https://example.org/"])
                built[outcome(code, output, exc)] += 1
            shutil.rmtree(case, ignore_errors=True)
    return {"kinds": kinds, "results": results, "crashes": crashes, "built": built}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.fuzz_roster", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--source", type=Path, default=ROOT / "data")
    parser.add_argument("--today", default="2026-11-22")
    parser.add_argument("--build-sample", type=int, default=0, help="full builds of that many accepted mutations")
    parser.add_argument("--keep", type=Path, default=None, help="write each crashing case under this folder")
    args = parser.parse_args(argv)
    report = fuzz(args.runs, args.seed, args.source, args.today, args.build_sample, args.keep)
    print(f"{args.runs} mutations of {args.source} (seed {args.seed})")
    for kind in sorted(report["kinds"]):
        row = {r: report["results"][(kind, r)] for r in ("accepted", "clean-error", "traceback")}
        print(f"  {kind:13} {report['kinds'][kind]:5}  accepted {row['accepted']:5}  clean errors "
              f"{row['clean-error']:5}  tracebacks {row['traceback']:3}")
    totals = Counter()
    for (_kind, result), n in report["results"].items():
        totals[result] += n
    print(f"  total: accepted {totals['accepted']}, clean errors {totals['clean-error']}, "
          f"tracebacks {totals['traceback']}")
    if report["built"]:
        print(f"  full builds: {dict(report['built'])}")
    for mutation, what in report["crashes"][:20]:
        print(f"  CRASH {mutation.kind} {mutation.file}: {what}")
    return 1 if totals["traceback"] or report["built"]["traceback"] else 0


if __name__ == "__main__":
    sys.exit(main())
