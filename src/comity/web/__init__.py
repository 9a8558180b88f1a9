"""Read-only REST API and web dashboard: ``create_app(db_path)``; run it with ``comity serve``.

Needs the ``web`` extra (fastapi, uvicorn). The app is a thin shell over the Python API: every
number comes from :mod:`comity.store.db`, :mod:`comity.analysis.align`,
:mod:`comity.analysis.security_council` and the
optional :mod:`comity.claims.evaluation`, :mod:`comity.analysis.idealpoints`,
:mod:`comity.analysis.shifts` and
:mod:`comity.analysis.clustering` (imported inside the handlers; an endpoint whose module is missing
answers 503 saying so).

Endpoints (schema at ``/openapi.json``; every table also as CSV with ``?format=csv``)
------------------------------------------------------------------------------------
``GET /api/info`` provenance (sources, files, sha256, last loads, counts) ·
``/api/states`` (``?at=``) with membership periods · ``/api/blocs``, ``/api/blocs/{name}`` ·
``/api/resolutions`` (``search, session, year, issue, body, limit <= 1000, offset``) ·
``/api/resolutions/{symbol}/votes`` · ``/api/alignment`` (``a, b..., from, to, by, measure...,
issue, body, important, search, bootstrap <= 5000, seed, ci, min_votes, bloc_method, strict``)
· ``/api/matrix`` (``year, states..., measure``) · ``/api/cohesion`` (``bloc...``) ·
``/api/vetoes`` · ``/api/council`` · ``/api/idealpoints`` · ``POST /api/claims``
(``{"text": ...}``) · ``/api/shifts``, ``/api/shifts/movers``, ``/api/shifts/switches`` ·
``/api/clusters``.

Errors: an unknown state or bloc is a 404 whose ``detail`` names it; any other invalid input a
422; a missing store or module a 503. Bodies: ``{"detail": message, "error": class}``.

Serving
-------
The store is opened read-only, one DuckDB connection per thread (:mod:`.context`). Because the
file cannot change while it is open, answers are cached: serialised GET answers per query
string (served before routing by :class:`.common.CachedGetMiddleware`), costly Python results,
and per-year all-dyad tables from :func:`comity.analysis.align.alignment_matrix` that answer the
common "two states, one year, no bootstrap" alignment query exactly as
:func:`~comity.analysis.align.alignment` would (:mod:`.api_align`). ``bench/serve.py`` measures it.

The dashboard
-------------
``/`` is one static page (``static/index.html``, ``app.js``, ``style.css``) with no build
step: the script calls the JSON API and draws with Vega-Lite through vega-embed, whose minified
builds are vendored in ``static/vendor`` (BSD-3-Clause, see ``LICENSES.md``), so the page loads
nothing from elsewhere and works offline (its Content-Security-Policy allows only this
server). The page state (parties, years, issue, body, measure, interval, matrix year and
states, ideal-point states, claim) lives in the query string, so a URL reproduces a view. Every
chart has a table or text alternative; controls are labelled native form elements (keyboard
usable); the colours are the Okabe-Ito palette.
"""

from __future__ import annotations

from comity.web.app import create_app

__all__ = ["create_app"]
