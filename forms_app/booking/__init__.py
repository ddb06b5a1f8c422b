"""Appointments: slots cut from the published duty (slots.py), booking, cancelling and
rescheduling (service.py, with its per-database statements in sql.py), what the staff record
after the meeting (outcomes.py), the forms (forms.py), the residents' pages (views.py), the
calendar files (calendars.py) and the officers' private feeds (feeds.py)."""
