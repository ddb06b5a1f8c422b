"""`make serve`: production-style on one machine. gunicorn runs the form service (workers,
threads: deploy/gunicorn.conf.py) and a second gunicorn serves the built site as static files.
Database and limits come from the environment (DATABASE_URL, REDIS_URL, SECRET_KEY, …)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tools.demo import server_arguments

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    args = server_arguments(__doc__.splitlines()[0]).parse_args(argv)
    if not (ROOT / "site" / "index.html").is_file():
        print("还没有构建网站：先运行 make site / the site is not built: run `make site` first", file=sys.stderr)
        return 1
    gunicorn = [sys.executable, "-m", "gunicorn"]
    env = {**os.environ, "SITE_URL": os.environ.get("SITE_URL") or f"http://{args.host}:{args.site_port}/",
           "FORMS_URL": os.environ.get("FORMS_URL") or f"http://{args.host}:{args.forms_port}/"}
    processes = [
        subprocess.Popen([*gunicorn, "-c", str(ROOT / "deploy" / "gunicorn.conf.py"), "--bind",
                          f"{args.host}:{args.forms_port}", "forms_app.wsgi:app"], cwd=ROOT, env=env),
        subprocess.Popen([*gunicorn, "-c", str(ROOT / "deploy" / "gunicorn.conf.py"), "--workers", "2", "--bind",
                          f"{args.host}:{args.site_port}", "tools.static_site:create()"], cwd=ROOT, env=env),
    ]
    print(f"\n  三官一师公示栏 / notice board:  http://{args.host}:{args.site_port}/")
    print(f"  预约服务 / form service:        http://{args.host}:{args.forms_port}/  (gunicorn)")
    print("  按 Ctrl+C 停止 / press Ctrl+C to stop\n", flush=True)
    try:
        while all(p.poll() is None for p in processes):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(timeout=30)
    failed = [p.returncode for p in processes if p.returncode not in (0, -signal.SIGTERM)]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
