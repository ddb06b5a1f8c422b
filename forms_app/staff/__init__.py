"""The staff console: accounts and log-in (accounts.py), who sees what (permissions.py), the
queue (queue.py), the case page and its actions (views.py, forms.py), and the monthly register
and KPIs (reports.py) behind the dashboard and its downloads (dashboard.py)."""
