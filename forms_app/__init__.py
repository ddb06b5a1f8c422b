"""The form service: residents book appointments inside published duty hours and file complaints
that staff work through the case flow. ``create_app`` only assembles; docs/architecture.md is the map.
"""
from __future__ import annotations

from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from roster.phones import display_phone, tel_uri

from . import api
from .booking import feeds as booking_feeds, views as booking_views
from .cases import report_views, views as case_views
from .cli import register_commands
from .config import ROOT, engine_options, from_environment, instance_secret
from .db import sqlite  # noqa: F401 - every SQLite connection's settings, registered on import
from .db import rowlog
from .extensions import csrf, db, limiter, login_manager, migrate
from .rosters import RosterProvider, RosterUnavailable
from .staff import accounts, dashboard, intake_views, filing_views, officer_views, supervision_views, views as staff_views  # noqa: F401 - accounts: the login manager's user loader
from .web import errors, headers, health, requestlog
from .web.converters import MonthConverter, RowIdConverter
from .web.jsonbody import JSONProvider
from .web.session_cookie import SessionInterface

BLUEPRINTS = (booking_views.bp, staff_views.bp, dashboard.bp, officer_views.bp, intake_views.bp, supervision_views.bp, filing_views.bp, api.bp, booking_feeds.bp, case_views.bp, report_views.bp, health.bp)


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.json = JSONProvider(app)
    app.config.from_mapping(from_environment(app.instance_path))
    if test_config:
        app.config.from_mapping(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret(app.instance_path)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", engine_options(app.config["SQLALCHEMY_DATABASE_URI"]))

    if app.config.get("TRUSTED_PROXIES"):
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "staff.login"
    login_manager.login_message = "请先登录"
    app.extensions["roster_provider"] = RosterProvider(app.config["ROSTER_DIR"])
    try:  # load now (in the gunicorn master, which preloads the app), not in a resident's first request
        app.extensions["roster_provider"].get()
    except RosterUnavailable:
        pass  # logged; pages say the roster cannot be read and /readyz answers 503 until it can
    # copy-data makes an app of the same kind on another database (cli/data.py)
    app.extensions["app_factory"] = create_app

    app.session_interface = SessionInterface()
    app.url_map.converters["month"] = MonthConverter
    app.url_map.converters["id"] = RowIdConverter
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    csrf.exempt(api.bp)

    register_commands(app)
    errors.register(app)
    requestlog.install(app)
    headers.install(app)
    rowlog.install()

    app.jinja_env.filters["tel"] = tel_uri
    app.jinja_env.filters["phone"] = display_phone

    @app.context_processor
    def _site_links():
        return {"site_url": app.config["SITE_URL"]}

    return app
