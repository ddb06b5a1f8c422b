"""Jinja2 templates of the site (a package so that they install with sitegen)."""
