"""The installation: database tables, the development server, demo data."""

from __future__ import annotations

import click

from chatarchief.cli.base import actor


@click.command("migrate")
def migrate() -> int:
    """create or update the database tables"""
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=1)
    return 0


@click.command("serve")
@click.option("--port", type=int, default=8000, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True)
def serve(port: int, host: str) -> int:
    """serve the web app (development server)"""
    from django.core.management import call_command

    # the development server also serves the static files (production: collectstatic behind a web server)
    call_command("runserver", f"{host}:{port}", use_reloader=False, insecure_serving=True)
    return 0


@click.command("demo")
def demo() -> int:
    """load demo data (organisations, custodians, users, exports)"""
    from chatarchief.demo import load_demo

    for line in load_demo(actor=actor()):
        print(line)
    return 0


COMMANDS = [migrate, serve, demo]
