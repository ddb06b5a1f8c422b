"""`make demo`: the built site and the form service on 127.0.0.1 from one command.

The site is served as static files (as any web server would); the form service runs on
SQLite in Flask's instance folder, its schema brought up to date with the Alembic migrations.
"""
from __future__ import annotations

import argparse
import sys
import threading
import time
from pathlib import Path

from werkzeug.serving import BaseWSGIServer, make_server

from tools import static_site

ROOT = Path(__file__).resolve().parent.parent


def server_arguments(description: str) -> argparse.ArgumentParser:
    """The addresses `make demo` and `make serve` share."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--site-port", type=int, default=8000)
    parser.add_argument("--forms-port", type=int, default=8001)
    return parser


def site_server(host: str, port: int, root: Path = ROOT / "site") -> BaseWSGIServer:
    """The built site as `make serve` and nginx serve it (the site's own 404 page, its cache
    headers), not Python's directory listing with its English "Error response"."""
    return make_server(host, port, static_site.create(root), threaded=True)


def sender_thread(app, interval: float = 3.0) -> threading.Thread:
    """A notification sender beside the demo, on the log channel by default: each message that
    would go out is printed here (flask --app forms_app send-notifications --loop in production)."""
    from sqlalchemy.exc import DBAPIError

    from forms_app.extensions import db
    from forms_app.notify.sender import send_due

    def run() -> None:
        while True:
            with app.app_context():
                try:
                    send_due()
                except DBAPIError:
                    db.session.rollback()  # the next pass tries again
            time.sleep(interval)

    return threading.Thread(target=run, name="notify-sender", daemon=True)


def main(argv: list[str] | None = None) -> int:
    args = server_arguments(__doc__.splitlines()[0]).parse_args(argv)

    from flask_migrate import upgrade

    from forms_app import create_app
    from forms_app.web import requestlog

    # The service's header links back to the site this command serves, whatever port it is on.
    app = create_app({"SITE_URL": f"http://{args.host}:{args.site_port}/"})
    with app.app_context():
        upgrade()
    site = site_server(args.host, args.site_port)
    forms = make_server(args.host, args.forms_port, app, threaded=True,
                        request_handler=requestlog.dev_server_handler(app))
    threading.Thread(target=site.serve_forever, daemon=True).start()
    sender_thread(app).start()
    print(f"\n  三官一师公示栏 / notice board:      http://{args.host}:{args.site_port}/")
    print(f"  预约服务 / form service:            http://{args.host}:{args.forms_port}/")
    print(f"  数据库 / database:                  {app.config['SQLALCHEMY_DATABASE_URI']}")
    print("  通知 / notifications:              打印在这里 / printed here (log channel)")
    print("  按 Ctrl+C 停止 / press Ctrl+C to stop\n", flush=True)
    try:
        forms.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        site.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
