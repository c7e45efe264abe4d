"""`/api/v1/docs`: the API's reference for people, rendered on the server from the OpenAPI schema.

No Swagger UI or Redoc: those run inline script from a CDN, which the strict Content-Security-Policy
refuses (and they are hard to use with a keyboard or a screen reader). This page is plain HTML under
the same CSP, checked by the accessibility and words tests like every other page. It is public, as
`/api/v1/openapi.json` is: it describes the interface, not any data, and the people who integrate a
system with the API (with a service account's token) usually have no web login.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from chatarchief.api.api import api

METHOD_ORDER = ("get", "post", "put", "patch", "delete")


@dataclass
class Field:
    name: str
    type: str
    required: bool
    where: str = ""  # for parameters: path, query, header
    description: str = ""


@dataclass
class Operation:
    method: str
    path: str
    anchor: str
    summary: str
    description: str
    parameters: list[Field] = field(default_factory=list)
    body_type: str = ""
    body: list[Field] = field(default_factory=list)
    responses: list[tuple[str, str, str]] = field(default_factory=list)  # status, description, type


def type_name(schema: dict[str, Any]) -> str:
    """A readable type: `DeliveryOut`, `string (date-time)`, `list of FindingOut`, `string or null`."""
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " or ".join(type_name(option) for option in schema["anyOf"])
    kind = str(schema.get("type", "object"))
    if kind == "array":
        return f"list of {type_name(schema.get('items', {}))}"
    if "format" in schema:
        return f"{kind} ({schema['format']})"
    return kind


def _fields(schema: dict[str, Any]) -> list[Field]:
    required = set(schema.get("required", []))
    return [
        Field(name, type_name(spec), name in required, description=str(spec.get("description", "")))
        for name, spec in schema.get("properties", {}).items()
    ]


def _operation(path: str, method: str, spec: dict[str, Any]) -> Operation:
    operation = Operation(
        method=method.upper(),
        path=path,
        anchor=f"op-{spec.get('operationId', method + path)}".replace("/", "-").replace("{", "").replace("}", ""),
        summary=str(spec.get("summary", "")),
        description=str(spec.get("description", "")),
    )
    for parameter in spec.get("parameters", []):
        operation.parameters.append(
            Field(
                parameter["name"],
                type_name(parameter.get("schema", {})),
                bool(parameter.get("required")),
                where=parameter.get("in", ""),
                description=str(parameter.get("description", "")),
            )
        )
    for media, content in spec.get("requestBody", {}).get("content", {}).items():
        operation.body_type = media
        operation.body = _fields(content.get("schema", {}))
    for status, response in sorted(spec.get("responses", {}).items()):
        schemas = [c.get("schema", {}) for c in response.get("content", {}).values()]
        operation.responses.append(
            (status, str(response.get("description", "")), type_name(schemas[0]) if schemas else "")
        )
    return operation


def reference(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema as lists a template can show: operations in path order, then the object types."""
    operations = [
        _operation(path, method, methods[method])
        for path, methods in sorted(schema.get("paths", {}).items())
        for method in METHOD_ORDER
        if method in methods
    ]
    types = [
        {"name": name, "anchor": f"type-{name}", "fields": _fields(spec), "description": spec.get("description", "")}
        for name, spec in sorted(schema.get("components", {}).get("schemas", {}).items())
    ]
    return {"info": schema.get("info", {}), "operations": operations, "types": types}


@login_not_required
@require_GET
def api_docs(request: HttpRequest) -> HttpResponse:
    return render(request, "api_docs.html", reference(api.get_openapi_schema()))
