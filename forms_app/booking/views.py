"""Residents' booking pages: choose a slot, fill in the form, get a number, manage the booking."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for

from .. import limits
from ..clock import aware
from ..extensions import db
from ..rosters import current_roster
from . import service as appointments
from .calendars import appointment_event, calendar, ics_response
from .display import describe, group_by_day, parse_slot_key
from .forms import BookingForm, CancelForm, RescheduleForm
from .service import BookingError, PhoneBusy
from .slots import available_slots

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
    people = roster.officers_at(station_id)
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
    slots = available_slots(roster, station_id, officer=officer_id, role=role)
    roles = sorted({o.role for o in people}, key=roster.role_order)
    return render_template("booking/book.html", station=station, street=roster.street(station.street),
                           people=people, officer_id=officer_id, role=role, roles=roles, form=form,
                           days=group_by_day(roster, slots), roster=roster), status


def _booking_or_404(token: str):
    appointment = appointments.by_token(token)
    if appointment is None:
        abort(404)
    return appointment


@bp.get("/booked/<token>")
def booked(token: str):
    appointment = _booking_or_404(token)
    roster = current_roster()
    manage = url_for(".manage", token=token, _external=True)
    return render_template("booking/booked.html", manage_url=manage, **describe(roster, appointment))


@bp.get("/booked/<token>/appointment.ics")
def booked_ics(token: str):
    appointment = _booking_or_404(token)
    roster = current_roster()
    cal = calendar("预约")
    cal.add_component(appointment_event(appointment, roster, private=False))
    return ics_response(cal, headers={"Content-Disposition": f'attachment; filename="{appointment.number}.ics"'})


@bp.route("/manage/<token>", methods=["GET", "POST"])
@limits.resident_post
def manage(token: str):
    appointment = _booking_or_404(token)
    roster = current_roster()
    cancel_form = CancelForm(prefix="cancel")
    move_form = RescheduleForm(prefix="move")
    slots = [s for s in available_slots(roster, appointment.station_id, officer=appointment.officer_id)
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
            else:
                status = 422
        except BookingError as exc:
            status = 409 if isinstance(exc, appointments.SlotTaken) else 422
            form_errors = move_form.slot if action == "move" else cancel_form.reason
            form_errors.errors = list(form_errors.errors) + [exc.message]
    return render_template("booking/manage.html", cancel_form=cancel_form, move_form=move_form, message=message,
                           days=group_by_day(roster, slots), **describe(roster, appointment)), status
