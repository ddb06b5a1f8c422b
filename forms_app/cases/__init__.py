"""Cases: the flow as one table of actions (flow.py, no database), registering and acting on a
case (service.py, with its per-database statements in sql.py), deadlines in working days
(deadlines.py, workdays.py), the append-only ledger (ledger.py), residents' photos (photos.py),
what a resident reads (public.py, words.py), the forms (forms.py) and the residents' pages
(views.py)."""
