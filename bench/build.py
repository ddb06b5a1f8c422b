"""Benchmark: does the site build stay linear as stations grow?  python bench/build.py [--sizes 100,1000]

Builds synthetic rosters (tools/synthetic_roster.py) of each size and prints the time per
station, the size of one station page and of the search index. The baseline is the smallest
size in the same run: a linear build keeps the per-station figures near 1.0x of it.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import roster  # noqa: E402
from sitegen import build_site  # noqa: E402
from tools.synthetic_roster import write_roster  # noqa: E402


def measure(size: int, work: Path) -> dict:
    data = write_roster(work / f"data-{size}", size)
    started = time.perf_counter()
    model = roster.load_roster(data, today=date(2026, 11, 22))
    loaded = time.perf_counter()
    out = work / f"site-{size}"
    build_site(model, out, "https://board.example.gov.cn/", "https://forms.example.gov.cn/", today=date(2026, 11, 22),
               src_dir=work / f"src-{size}")
    built = time.perf_counter()
    total = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    return {"size": size, "check_s": loaded - started, "build_s": built - loaded,
            "page_bytes": (out / "stations/st-1/index.html").stat().st_size,
            "search_bytes": (out / "data/search.json").stat().st_size, "total_mb": total / 1e6}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000", help="comma-separated station counts (default 100,1000)")
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            rows.append(measure(size, Path(tmp)))
            r = rows[-1]
            print(f"{r['size']:>6} stations: check {r['check_s']:.1f} s, build {r['build_s']:.1f} s "
                  f"({1000 * (r['check_s'] + r['build_s']) / size:.1f} ms/station), station page {r['page_bytes']:,} B, "
                  f"search.json {r['search_bytes']:,} B, site {r['total_mb']:.1f} MB", flush=True)
    base = rows[0]
    per_base = (base["check_s"] + base["build_s"]) / base["size"]
    worst_time = max(((r["check_s"] + r["build_s"]) / r["size"]) / per_base for r in rows)
    worst_page = max(r["page_bytes"] / base["page_bytes"] for r in rows)
    print(f"baseline = {base['size']} stations")
    print(f"summary: time_per_station_ratio={worst_time:.2f} page_size_ratio={worst_page:.2f} "
          f"search_bytes_per_station={rows[-1]['search_bytes'] / rows[-1]['size']:.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
