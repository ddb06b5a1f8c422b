"""What a person sees when something goes wrong: a page in words (JSON under /api/), never a
traceback; the exception's own headers kept (Allow on 405, Retry-After on 429)."""
from __future__ import annotations

from flask import Flask, render_template, request
from werkzeug.exceptions import HTTPException

from ..rosters import RosterUnavailable
from .requestlog import route_pattern


def register(app: Flask) -> None:
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
        app.logger.exception("unhandled error on %s", route_pattern(app, request.path))
        if wants_json():
            return {"error": "Internal Server Error", "message": "internal error"}, 500
        return render_template("error.html", code=500, title="出错了",
                               message="服务出了点问题，您填写的内容没有保存。请稍后再试，或直接拨打站点电话。"), 500


_TITLES = {400: "请求有误", 404: "没有找到", 405: "请求有误", 429: "操作太频繁"}
_MESSAGES = {404: "这个页面不存在，或链接已经过期。", 400: "页面已过期，请返回重新填写。"}
