"""Time and memory of photos.clean for hostile uploads vs a normal phone photo, in one run.

    /work/main/.venv/bin/python bench/photos.py [CHECKOUT]   # CHECKOUT: another tree's code, to compare

Each case runs in a fresh child process, so that peak RSS (ru_maxrss) and RSS after are its own."""
from __future__ import annotations

import io
import multiprocessing
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, sys.argv[1] if len(sys.argv) > 1 else str(Path(__file__).resolve().parent.parent))


def png(side: int) -> bytes:
    from PIL import Image
    out = io.BytesIO()
    Image.new("RGB", (side, side), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def phone_jpeg() -> bytes:
    from PIL import Image
    out = io.BytesIO()
    Image.radial_gradient("L").resize((4032, 3024)).convert("RGB").save(out, "JPEG", quality=90)
    return out.getvalue()


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def run(name: str, uploads: list[bytes], queue) -> None:
    from forms_app.cases.photos import PhotoError, clean
    before = rss_mb()
    started = time.perf_counter()
    outcome = []
    for data in uploads:
        try:
            clean(data, "bench")
            outcome.append("kept")
        except PhotoError:
            outcome.append("refused")
    took = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put((name, sum(map(len, uploads)) // 1024, ",".join(outcome), took, before, peak, rss_mb()))


def run_worker(rounds: int, threads: int, upload: bytes, queue) -> None:
    """As a gthread worker lives: ``threads`` uploads at once, again and again; RSS after each round
    says whether memory comes back or ratchets up for good."""
    from concurrent.futures import ThreadPoolExecutor

    from forms_app.cases.photos import clean
    after = [rss_mb()]
    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        for _ in range(rounds):
            list(pool.map(lambda data: clean(data, "bench"), [upload] * threads))
            after.append(rss_mb())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put((time.perf_counter() - started, peak, after))


def main() -> None:
    cases = {"phone photo 4032x3024 JPEG": [phone_jpeg()],
             "three 7000x7000 PNG": [png(7000)] * 3,
             "three 3900x3900 PNG (just under the PNG budget)": [png(3900)] * 3}
    print(f"{'case':48} {'KB':>6} {'outcome':24} {'s':>6} {'RSS before':>10} {'peak':>7} {'after':>7}")
    for name, uploads in cases.items():
        queue = multiprocessing.Queue()
        child = multiprocessing.Process(target=run, args=(name, uploads, queue))
        child.start()
        row = queue.get()
        child.join()
        print(f"{row[0]:48} {row[1]:6} {row[2]:24} {row[3]:6.2f} {row[4]:9.0f}M {row[5]:6.0f}M {row[6]:6.0f}M")
    rounds, threads = 4, 4
    queue = multiprocessing.Queue()
    child = multiprocessing.Process(target=run_worker, args=(rounds, threads, png(3900), queue))
    child.start()
    took, peak, after = queue.get()
    child.join()
    print(f"one worker, {threads} threads x {rounds} rounds of a 3900x3900 PNG: {took:.1f} s, peak {peak:.0f}M, "
          "RSS before and after each round " + " ".join(f"{mb:.0f}M" for mb in after))


if __name__ == "__main__":
    main()
