"""Write the served OpenAPI schema to docs/openapi.json (a test keeps the two equal):

.venv/bin/python -m chatarchief.api.schema [docs/openapi.json]
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any


def served_schema() -> dict[str, Any]:
    """The schema exactly as GET /api/v1/openapi.json serves it."""
    from django.test import Client

    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200, response.status_code
    return json.loads(response.content)


def dumps(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def main(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chatarchief.web.settings")
    import django

    django.setup()
    target = argv[0] if argv else "docs/openapi.json"
    with open(target, "w", encoding="utf-8") as sink:
        sink.write(dumps(served_schema()))
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
