"""Residents' booking pages: choose a slot, fill in the form, get a number, manage the booking."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for

from .. import clock, limits
from ..clock import aware
from ..extensions import db
from ..inputs import PlainTextForm, normalise_number
from ..models import BOOKED, CANCELLED
from ..notify import choices, events
from ..rosters import current_roster
from . import service as appointments
from .calendars import appointment_event, calendar, ics_response
from .display import describe, group_by_day, next_words, parse_slot_key, when_words
from .forms import BookingForm, CancelForm, FindBookingForm, RescheduleForm
from .service import BookingError, PhoneBusy
from .slots import available_slots, next_bookable, people_at

bp = Blueprint("booking", __name__)

@bp.get("/")
def index():
    roster = current_roster()
    streets = [(street, roster.stations_of(street.id)) for street in roster.streets]
    return render_template("booking/stations.html", streets=streets)


@bp.route("/book", methods=["GET", "POST"])
@limits.resident_post
def book():
    roster = current_roster()
    station_id = request.values.get("station", "")
    if not roster.has_station(station_id):
        return redirect(url_for(".index"))
    station = roster.station(station_id)
    now = clock.now()
    people = people_at(roster, station_id, now.date())
    officer_id = request.values.get("officer") or None
    if officer_id not in {o.id for o in people}:
        officer_id = None
    role = request.values.get("role") or None
    if role not in {o.role for o in people}:
        role = None

    form = BookingForm()
    form.set_topics(roster.settings.categories)
    status = 200
    if form.validate_on_submit():
        chosen = parse_slot_key(form.slot.data)
        resident = form.resident()
        try:
            if chosen is None:
                raise appointments.NotOffered("请选择一个时间", "slot")
            appointment = appointments.book(roster, station_id, chosen[0], chosen[1], resident)
        except BookingError as exc:
            status = 409 if isinstance(exc, appointments.SlotTaken) else 422
            target = form.phone if isinstance(exc, PhoneBusy) else form.slot
            target.errors = list(target.errors) + [exc.message]
        else:
            return redirect(url_for(".booked", token=appointment.manage_token), 303)
    elif request.method == "POST":
        status = 422
    # The slots are for showing the page: a posted slot is checked by appointments.book itself, and
    # reading them only now keeps a successful booking's transaction (and SQLite's write lock) short.
    slots = available_slots(roster, station_id, officer=officer_id, role=role, now=now)
    roles = sorted({o.role for o in people}, key=roster.role_order)
    return render_template("booking/book.html", station=station, street=roster.street(station.street),
                           people=people, officer_id=officer_id, role=role, roles=roles, form=form,
                           days=group_by_day(roster, slots), roster=roster,
                           first=when_words(slots[0].start) if slots else None,
                           empty=_nothing_to_book(roster, station_id, officer_id, role, now, slots)), status


def _nothing_to_book(roster, station_id: str, officer_id: str | None, role: str | None, now, slots) -> str:
    """The picker's words when it is empty, naming the next bookable time (worked out only then)."""
    if slots:
        return ""
    upcoming = next_bookable(roster, station_id, officer=officer_id, role=role, now=now)
    return next_words(roster, upcoming, now.date())


def _booking_or_404(token: str):
    appointment = appointments.by_token(token)
    if appointment is None:
        abort(404)
    return appointment


@bp.get("/b/<number>")
def short_link(number: str):
    """The short link in a text message (notify/texts.py): the booking look-up, number filled in."""
    return redirect(url_for(".find", number=normalise_number(number) or None), 303)


@bp.route("/manage", methods=["GET", "POST"])
@limits.booking_lookup
@limits.booking_number
def find():
    """Find a booking by its number and the phone's last four digits: the way back for a resident
    who kept a screenshot or wrote the number down, where the private link cannot be tapped."""
    form = FindBookingForm(formdata=request.form if request.method == "POST" else None,
                           data={"number": normalise_number(request.args.get("number"))})
    if request.method == "POST" and form.validate():
        appointment = appointments.find_for_resident(form.number.data, form.phone_last4.data)
        if appointment is not None:
            return redirect(url_for(".manage", token=appointment.manage_token), 303)
        # Unknown number and wrong digits: the same page and status; the digits are not shown again.
        again = FindBookingForm(formdata=None, data={"number": form.number.data})
        return render_template("booking/find.html", form=again, not_found=True,
                               streets=[s for s in current_roster().streets if s.hotline]), 404
    status = 422 if request.method == "POST" else 200
    return render_template("booking/find.html", form=form, not_found=False), status


@bp.get("/booked/<token>")
def booked(token: str):
    appointment = _booking_or_404(token)
    roster = current_roster()
    manage = url_for(".manage", token=token, _external=True)
    find = url_for(".find", number=appointment.number)
    return render_template("booking/booked.html", manage_url=manage, find_url=find,
                           texted=events.resident_hears(roster, appointment.phone), **describe(roster, appointment))


@bp.get("/booked/<token>/appointment.ics")
def booked_ics(token: str):
    appointment = _booking_or_404(token)
    roster = current_roster()
    # A cancelled booking's file is its cancellation: the same UID, so the calendar drops the event.
    cal = calendar("预约", "CANCEL" if appointment.status == CANCELLED else "PUBLISH")
    cal.add_component(appointment_event(appointment, roster, private=False))
    return ics_response(cal, headers={"Content-Disposition": f'attachment; filename="{appointment.number}.ics"'})


@bp.route("/manage/<token>", methods=["GET", "POST"])
@limits.resident_post
def manage(token: str):
    appointment = _booking_or_404(token)
    roster = current_roster()
    cancel_form = CancelForm(prefix="cancel")
    move_form = RescheduleForm(prefix="move")
    now = clock.now()
    slots = [s for s in available_slots(roster, appointment.station_id, officer=appointment.officer_id, now=now)
             if not (s.officer == appointment.officer_id and aware(appointment.starts_at) == s.start)]
    message, status = None, 200
    action = request.form.get("action")
    if request.method == "POST":
        try:
            if action == "cancel" and cancel_form.validate_on_submit():
                appointments.cancel(roster, appointment, cancel_form.reason.data.strip())
                db.session.commit()
                message = "预约已取消。"
            elif action == "move" and move_form.validate_on_submit():
                chosen = parse_slot_key(move_form.slot.data)
                if chosen is None:
                    raise appointments.NotOffered("请选择新的时间", "slot")
                appointments.reschedule(roster, appointment, chosen[0], chosen[1], move_form.reason.data.strip())
                db.session.commit()
                return redirect(url_for(".booked", token=token), 303)
            elif (action == "quiet" and appointment.status == BOOKED and PlainTextForm().validate_on_submit()
                  and request.form.get("quiet") in ("0", "1")):
                # the private link is the proof that the booking is theirs
                if appointments.switch_quiet(appointment, request.form["quiet"] == "1"):
                    db.session.commit()
                message = "好的，" + choices.switched("booking", bool(appointment.quiet)) + "。"
            else:
                status = 422
        except BookingError as exc:
            status = 409 if isinstance(exc, appointments.SlotTaken) else 422
            form_errors = move_form.slot if action == "move" else cancel_form.reason
            form_errors.errors = list(form_errors.errors) + [exc.message]
    empty = _nothing_to_book(roster, appointment.station_id, appointment.officer_id, None, now, slots)
    return render_template("booking/manage.html", cancel_form=cancel_form, move_form=move_form, message=message,
                           switch=choices.Switch("booking", events.resident_hears(roster, appointment.phone)),
                           days=group_by_day(roster, slots), empty=empty, **describe(roster, appointment)), status

