"""The WSGI entry for gunicorn: `forms_app.wsgi:app`, configured from the environment."""
from . import create_app

app = create_app()
