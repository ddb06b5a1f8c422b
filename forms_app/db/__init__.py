"""The database underneath the services: SQLite's settings and write lock (sqlite.py), where a
resident's write runs (transactions.py), backup and restore of SQLite (backup.py), and moving an
install to another database (copydata.py). The tables themselves are in ``forms_app.models``."""
