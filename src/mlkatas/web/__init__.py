"""The web site: server-rendered pages (FastAPI, Jinja2) and a JSON API over the store.

`create_app()` builds the application; `mlkatas serve` runs it with uvicorn. Every asset is served
from the package, so the site works offline.
"""
