"""Cases: the flow as one table of actions (flow.py, no database) and what a page may offer of it
(offers.py), registering and acting on a case (service.py, with its per-database statements in
sql.py), deadlines in working days (deadlines.py, workdays.py), the append-only ledger (ledger.py),
residents' photos (photos.py), what a resident reads (public.py, words.py), the forms (forms.py),
the residents' pages (views.py), and a department's report-in link (report_in.py, its page in
report_views.py)."""
