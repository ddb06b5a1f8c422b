"""What a person sees when something goes wrong: a page in words (JSON under /api/), never a
traceback; the exception's own headers kept (Allow on 405, Retry-After on 429)."""
from __future__ import annotations

from collections.abc import Callable

from flask import Flask, g, render_template, request
from sqlalchemy.exc import DBAPIError, OperationalError, TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from ..extensions import db, login_manager

from ..rosters import RosterUnavailable
from .requestlog import route_pattern


# endpoint → how its page is drawn again from the posted input (reshown_on_outage)
RESHOWN: dict[str, Callable[[], str]] = {}


def reshown_on_outage(endpoint: str):
    """Register how the form of ``endpoint`` is drawn again, filled in with what was posted, when
    the database fails under the POST: the resident sees their own form with the outage notice on
    top (``outage`` in the template) and presses its button again. The drawing must not need the
    database; if it does after all, the page with the kept fields as a resubmit button stands in."""
    def register(draw: Callable[[], str]) -> Callable[[], str]:
        RESHOWN[endpoint] = draw
        return draw
    return register


def without_database_if_down(known_down: bool = False) -> None:
    """Flask-Login puts ``current_user`` into every template, loading a staff member's account from
    the database. With the database down, an error page drawn for a browser that holds a staff
    session would fail again and reach the person as a bare 500: such a page is drawn for an
    anonymous visitor instead."""
    if "_login_user" in g:
        return
    if known_down:  # not another wait of a connect timeout for a page that says the database is down
        g._login_user = login_manager.anonymous_user()
        return
    try:
        login_manager._load_user()  # noqa: SLF001 - Flask-Login's own loader, which caches in g
    except (DBAPIError, PoolTimeout):
        db.session.rollback()
        db.session.remove()
        g._login_user = login_manager.anonymous_user()


def register(app: Flask) -> None:
    def wants_json() -> bool:
        return request.path.startswith("/api/")

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        # keep the exception's own headers (Allow on 405, Retry-After on 429), not its content type
        headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
        if wants_json():
            return {"error": error.name, "message": error.description}, error.code, headers
        without_database_if_down()
        return render_template("error.html", code=error.code, title=_TITLES.get(error.code, "出错了"),
                               message=_MESSAGES.get(error.code, "请返回上一页再试一次。")), error.code, headers

    @app.errorhandler(RosterUnavailable)
    def _no_roster(_error):
        if wants_json():
            return {"error": "Service Unavailable", "message": "roster not loaded"}, 503
        without_database_if_down()
        return render_template("error.html", code=503, title="暂时无法预约",
                               message="值班名单暂时无法读取，请稍后再试，或直接拨打站点电话。"), 503

    @app.errorhandler(DBAPIError)
    @app.errorhandler(PoolTimeout)
    def _database_unavailable(error: Exception):
        # DBAPIError with connection_invalidated, OperationalError (refused, timed out, locked, statement
        # timeout) and a full pool all mean "try again shortly"; any other DBAPIError is a bug.
        if isinstance(error, DBAPIError) and not (_unavailable(error) or error.connection_invalidated):
            return _unexpected(error)
        db.session.rollback()
        db.session.remove()
        # the class name only: the statement and its parameters may hold a resident's input
        app.logger.warning("database unavailable on %s: %s", route_pattern(app, request.path),
                           type(error.__cause__ or error).__name__)
        headers = {"Retry-After": str(RETRY_AFTER)}
        if wants_json():
            return {"error": "Service Unavailable", "message": "database unavailable, try again shortly"}, 503, headers
        without_database_if_down(known_down=True)
        draw = RESHOWN.get(request.endpoint) if request.method == "POST" else None
        if draw is not None:
            try:
                return draw(), 503, headers
            except (DBAPIError, PoolTimeout):
                db.session.rollback()
                db.session.remove()
        kept = [(name, value) for name, value in request.form.items(multi=True)] if request.method == "POST" else []
        return render_template("error.html", code=503, title="系统繁忙", kept=kept,
                               message=("系统暂时繁忙，您填写的内容还没有提交。请稍等片刻后按“重新提交”，"
                                        "或直接拨打站点电话。" if kept else
                                        "系统暂时繁忙，请稍等片刻后再试，或直接拨打站点电话。")), 503, headers

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        if isinstance(error, HTTPException):
            return _http_error(error)
        app.logger.exception("unhandled error on %s", route_pattern(app, request.path))
        if wants_json():
            return {"error": "Internal Server Error", "message": "internal error"}, 500
        without_database_if_down()
        return render_template("error.html", code=500, title="出错了",
                               message="服务出了点问题，您填写的内容没有保存。请稍后再试，或直接拨打站点电话。"), 500


def _unavailable(error: DBAPIError) -> bool:
    """SQLite reports a missing table or a bad statement as an OperationalError too: those are
    bugs (a 500, logged), not a database to wait for."""
    if not isinstance(error, OperationalError):
        return False
    text = str(error.orig)
    return not (text.startswith("no such ") or "syntax error" in text)


RETRY_AFTER = 5  # seconds; a restart of the database or a lock released takes about this long

_TITLES = {400: "请求有误", 404: "没有找到", 405: "请求有误", 413: "内容太大", 429: "操作太频繁"}
_MESSAGES = {404: "这个页面不存在，或链接已经过期。", 400: "页面已过期，请返回重新填写。",
             413: "提交的内容太大，没有保存。请删减文字或照片后再提交。"}
