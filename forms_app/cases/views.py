"""Residents' complaints (反映诉求) and case tracking: the form, the confirmation with the case
number and the expected first response, the tracking page with its timeline, satisfaction."""
from __future__ import annotations

from flask import Blueprint, g, redirect, render_template, request, session, url_for

from .. import limits
from ..extensions import db
from ..inputs import PlainTextForm, normalise_number
from ..models import Case
from ..notify import choices, events
from ..rosters import current_roster
from ..web.errors import reshown_on_outage
from . import pending, photos, service
from .flow import RATABLE
from .forms import ComplaintForm, SatisfactionForm, TrackForm
from .public import expected_words, public_view
from .words import day_words, when_words

bp = Blueprint("complaints", __name__)

TRACKED_IN_SESSION = 5


@bp.route("/complaint", methods=["GET", "POST"])
@limits.complaint
def complaint():
    request.max_content_length = (photos.MAX_PHOTOS + 1) * photos.MAX_BYTES + 1024 * 1024
    roster = current_roster()
    fixed = _fixed_station(roster)
    token = request.form.get("photo_token") if request.method == "POST" else None
    kept = pending.drop(token, pending.claim(token), set(request.form.getlist("drop_photo")))
    form = ComplaintForm(roster=roster, data={"station": fixed.id} if fixed else None, kept_photos=len(kept))
    status = 200
    if form.validate_on_submit():
        chosen = list(zip(form.photo_names, form.clean_photos))
        g.complaint_photos = (token, kept, chosen)  # kept for the retry if the database fails under the POST
        case = service.file_complaint(roster, form.fields(), [k.photo for k in kept] + form.clean_photos)
        pending.forget(token)
        session["complaint"] = case.number
        _remember(case.number)
        return redirect(url_for(".received"), 303)
    if request.method == "POST":
        status = 422
        chosen = list(zip(getattr(form, "photo_names", []), getattr(form, "clean_photos", [])))
        token = pending.keep(token, kept, chosen)
        kept = pending.claim(token)
        if form.photos.errors and getattr(form, "photos_chosen", False):
            held = "其余照片已保留；" if chosen else ""
            form.photos.errors = list(form.photos.errors) + [f"{held}请重新选择照片"]
    form.photo_token.data = token if kept else ""
    return _complaint_page(roster, form, fixed, kept=kept), status


@reshown_on_outage("complaints.complaint")
def _complaint_again() -> str:
    """The database failed under the POST: the resident's form again, as they filled it in, with
    the photos kept for the retry (files on disk need no database)."""
    roster = current_roster()
    form = ComplaintForm(roster=roster)
    token, kept, chosen = g.get("complaint_photos", (None, [], []))
    token = pending.keep(token, kept, chosen)
    kept = pending.claim(token)
    form.photo_token.data = token if kept else ""
    return _complaint_page(roster, form, _fixed_station(roster), outage=True, kept=kept)


def _fixed_station(roster):
    """The station the form was opened from (its button on the board), if any."""
    station_id = request.args.get("station", "")
    return roster.station(station_id) if roster.has_station(station_id) else None


def _complaint_page(roster, form: ComplaintForm, fixed, kept=(), **extra) -> str:
    chosen = roster.station(form.station.data) if roster.has_station(form.station.data or "") else None
    station = fixed or chosen
    street = roster.street(station.street) if station else None
    return render_template("complaints/form.html", form=form, fixed=fixed, station=station, street=street, kept=kept,
                           max_photos=photos.MAX_PHOTOS, **extra)


@bp.get("/complaint/received")
def received():
    number = session.get("complaint")
    case = service.by_number(number) if number else None
    if case is None:
        return redirect(url_for(".track"), 303)
    roster = current_roster()
    view = public_view(roster, case)
    return render_template("complaints/received.html", case=case, view=view,
                           expected=expected_words(roster, case), texted=events.resident_hears(roster, case.phone),
                           track_url=url_for(".track", number=case.number, _external=True))


def _remember(number: str) -> None:
    """The session remembers the cases this browser has looked up, so that the case page and its
    satisfaction form need no digits in the URL."""
    seen = [n for n in session.get("tracked", []) if n != number]
    session["tracked"] = ([number] + seen)[:TRACKED_IN_SESSION]


@bp.route("/track", methods=["GET", "POST"])
@limits.track
@limits.track_number
def track():
    form = TrackForm(formdata=request.form if request.method == "POST" else None,
                     data={"number": normalise_number(request.args.get("number"))})
    if request.method == "POST" and form.validate():
        case = service.find_for_resident(form.number.data, form.phone_last4.data)
        if case is not None:
            _remember(case.number)
            return redirect(url_for(".tracked", number=case.number), 303)
        # Unknown number and wrong digits: the same page and status. The number the resident typed
        # stays (it says nothing they did not type); the digits do not.
        again = TrackForm(formdata=None, data={"number": form.number.data})
        return render_template("complaints/track.html", form=again, not_found=True, streets=_hotlines()), 404
    status = 422 if request.method == "POST" else 200
    return render_template("complaints/track.html", form=form, not_found=False), status


def _hotlines() -> list:
    """Streets with a hotline, for a resident whose number is not found: someone to ask."""
    return [street for street in current_roster().streets if street.hotline]


def _tracked_case(number: str) -> Case | None:
    if number not in session.get("tracked", []):
        return None
    return service.by_number(number)


@bp.get("/t/<number>")
def short_link(number: str):
    """The short link in a text message (notify/texts.py): the tracking form with the number filled in."""
    return redirect(url_for(".track", number=normalise_number(number) or None), 303)


@bp.get("/track/<number>")
def tracked(number: str):
    case = _tracked_case(number)
    if case is None:
        return redirect(url_for(".track", number=number), 303)
    return _case_page(case, SatisfactionForm())


@bp.post("/track/<number>/satisfaction")
@limits.resident_post
def satisfaction(number: str):
    case = _tracked_case(number)
    if case is None:
        return redirect(url_for(".track", number=number), 303)
    form = SatisfactionForm()
    if case.satisfaction is not None or case.state not in RATABLE:
        return _case_page(case, form, message="这件诉求已经评价过了，谢谢您。"), 409
    if not form.validate_on_submit():
        return _case_page(case, form), 422
    if not service.record_satisfaction(current_roster(), case, int(form.score.data), (form.comment.data or "").strip()):
        return _case_page(case, form, message="这件诉求已经评价过了，谢谢您。"), 409
    db.session.commit()
    session["rated"] = case.number
    return redirect(url_for(".tracked", number=case.number), 303)


@bp.post("/track/<number>/quiet")
@limits.resident_post
def quiet(number: str):
    """The resident's choice of messages; like the rating, only once they proved the case is theirs."""
    case = _tracked_case(number)
    if case is None:
        return redirect(url_for(".track", number=number), 303)
    if not PlainTextForm().validate_on_submit() or request.form.get("quiet") not in ("0", "1"):
        return _case_page(case, SatisfactionForm(formdata=None), message="页面打开太久已过期，请再点一次。"), 400
    if service.switch_quiet(case, request.form["quiet"] == "1"):
        db.session.commit()
    session["quiet_switched"] = case.number
    return redirect(url_for(".tracked", number=case.number), 303)


def _case_page(case: Case, form: SatisfactionForm, message: str | None = None):
    roster = current_roster()
    thanks = session.pop("rated", None) == case.number
    if session.pop("quiet_switched", None) == case.number and message is None:
        message = "好的，" + choices.switched("case", bool(case.quiet)) + "。"
    return render_template("complaints/case.html", case=case, view=public_view(roster, case), form=form,
                           can_rate=case.state in RATABLE and case.satisfaction is None,
                           switch=choices.Switch("case", events.resident_hears(roster, case.phone)), message=message,
                           thanks=thanks, day_words=day_words, when_words=when_words)
