"""The form service: residents book appointments inside published duty hours.

Flask's tutorial layout: ``create_app()`` binds the extensions, one blueprint per module
(booking pages, JSON API, officers' calendar feeds), templates namespaced per blueprint.
"""
from __future__ import annotations

from pathlib import Path

from flask import Flask, render_template, request
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import BaseConverter

from roster.phones import display_phone, tel_uri

# Blueprints are imported with the package, not inside create_app, so that every module is loaded
# the same way whoever imports first (a test that patches the clock included).
from . import api, booking, cases_api, complaints, dashboard, feeds, health, requestlog, staff
from . import sqlite  # noqa: F401 - every SQLite connection's settings, registered on import
from .cli import register_commands
from .config import ROOT, engine_options, from_environment, instance_secret
from .extensions import csrf, db, limiter, login_manager, migrate
from .rosters import RosterProvider, RosterUnavailable
from .session_cookie import SessionInterface


class MonthConverter(BaseConverter):
    """YYYY-MM in a URL, so that /reports/2026-11.kpi.csv is month 2026-11 in format kpi.csv."""
    regex = r"\d{4}-(?:0[1-9]|1[0-2])"


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
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

    app.session_interface = SessionInterface()
    app.url_map.converters["month"] = MonthConverter
    app.register_blueprint(booking.bp)
    app.register_blueprint(staff.bp)
    app.register_blueprint(dashboard.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(feeds.bp)
    csrf.exempt(api.bp)
    app.register_blueprint(complaints.bp)
    app.register_blueprint(cases_api.bp)
    csrf.exempt(cases_api.bp)

    app.register_blueprint(health.bp)

    register_commands(app)
    _register_error_pages(app)
    requestlog.install(app)

    app.jinja_env.filters["tel"] = tel_uri
    app.jinja_env.filters["phone"] = display_phone

    @app.context_processor
    def _site_links():
        return {"site_url": app.config["SITE_URL"]}

    return app


def _register_error_pages(app: Flask) -> None:
    def wants_json() -> bool:
        return request.path.startswith("/api/")

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        # keep the exception's own headers (Allow on 405, Retry-After on 429), not its content type
        headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
        if wants_json():
            return {"error": error.name, "message": error.description}, error.code, headers
        return render_template("error.html", code=error.code, title=_TITLES.get(error.code, "出错了"),
                               message=_MESSAGES.get(error.code, "请返回上一页再试一次。")), error.code, headers

    @app.errorhandler(RosterUnavailable)
    def _no_roster(_error):
        if wants_json():
            return {"error": "Service Unavailable", "message": "roster not loaded"}, 503
        return render_template("error.html", code=503, title="暂时无法预约",
                               message="值班名单暂时无法读取，请稍后再试，或直接拨打站点电话。"), 503

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        if isinstance(error, HTTPException):
            return _http_error(error)
        app.logger.exception("unhandled error on %s", request.path)
        if wants_json():
            return {"error": "Internal Server Error", "message": "internal error"}, 500
        return render_template("error.html", code=500, title="出错了",
                               message="服务出了点问题，您填写的内容没有保存。请稍后再试，或直接拨打站点电话。"), 500


_TITLES = {400: "请求有误", 404: "没有找到", 405: "请求有误", 429: "操作太频繁"}
_MESSAGES = {404: "这个页面不存在，或链接已经过期。", 400: "页面已过期，请返回重新填写。"}
