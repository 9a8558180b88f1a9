"""``comity serve``: the read-only REST API and the dashboard (:mod:`comity.web`) with uvicorn.

Registered on the main ``comity`` app by :mod:`comity.cli.app` (imported if present). Needs the
``web`` extra (``pip install 'comity[web]'``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from comity.cli.app import DbOpt, app, err_console
from comity.errors import ComityError


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="Interface to listen on (127.0.0.1: this "
                                      "machine only).")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port.", min=1, max=65535)] = 8000,
    db: DbOpt = None,
    workers: Annotated[int, typer.Option("--workers", help="Worker processes.", min=1,
                                         max=64)] = 1,
    cors: Annotated[list[str] | None, typer.Option(
        "--cors", help="Allow browser pages of this origin to call the API (repeat); default: "
        "CORS off.")] = None,
    log_level: Annotated[str, typer.Option("--log-level", help="uvicorn log level.")]
    = "info",
) -> None:
    """Serve the read-only JSON API (/api, schema at /openapi.json) and the dashboard (/)."""
    try:
        import uvicorn
    except ImportError:
        raise ComityError("comity serve needs the web extra: pip install 'comity[web]'") \
            from None
    from comity.store.db import Store, default_db_path

    path = Path(db) if db is not None else default_db_path()
    Store(path, read_only=True).close()  # fail now, with comity's message, if it is missing
    os.environ["COMITY_DB"] = str(path.resolve())
    if cors:
        os.environ["COMITY_CORS_ORIGINS"] = ",".join(cors)
    if host not in ("127.0.0.1", "localhost", "::1"):
        err_console.print(f"[yellow]listening on {host}: the API is reachable from other "
                          "machines[/yellow]")
    err_console.print(f"comity: serving {path} on http://{host}:{port}/ "
                      f"({workers} worker{'s' if workers > 1 else ''})", highlight=False)
    uvicorn.run("comity.web.app:app_from_env", factory=True, host=host, port=port,
                workers=workers, log_level=log_level, access_log=log_level == "debug")
