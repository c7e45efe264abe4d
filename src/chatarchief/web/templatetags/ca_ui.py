"""Building blocks for every page (see docs/web.md): `{% load ca_ui %}`.

- `{{ field|control }}`: a form field's widget with the NL Design System class for its kind
  (utrecht-textbox, utrecht-select, utrecht-checkbox, utrecht-textarea; a file input gets ca-file);
  Django adds aria-invalid and aria-describedby (`<id>_helptext`, `<id>_error`), which
  partials/form_field.html provides.
- `{% datatable caption="…" id="…" %}<thead>…</thead><tbody>…</tbody>{% enddatatable %}`: a table
  with a caption, inside a container that scrolls sideways on a narrow screen (the page itself never
  does) and that keyboard users can scroll (tabindex, role=region named by the caption).
- `{% pagination page label="…" %}`: "page x of y" and first/previous/next/last as plain links for a
  Django `Page`, keeping the other query parameters; `{% pagination_links … %}` does the same from
  explicit URLs (keyset pagination); `{% page_url "page" 3 %}` is the bare link.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.forms import BoundField
from django.http import HttpRequest
from django.template.base import Parser, Token, token_kwargs
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

TEXTBOX = "utrecht-textbox utrecht-textbox--html-input"
CONTROL_CLASSES = {
    "select": "utrecht-select utrecht-select--html-select",
    "selectmultiple": "utrecht-select utrecht-select--html-select",
    "nullbooleanselect": "utrecht-select utrecht-select--html-select",
    "checkbox": "utrecht-checkbox utrecht-checkbox--html-input",
    "textarea": "utrecht-textarea utrecht-textarea--html-textarea",
    "file": "ca-file",
    "clearablefile": "ca-file",
    "multiplefile": "ca-file",
}
INVALID = {"utrecht-select": "utrecht-select--invalid", "utrecht-textarea": "utrecht-textarea--invalid"}


@register.filter
def control(field: BoundField) -> SafeString:
    """The field's widget with the design system's classes (kept: the widget's own classes)."""
    css = CONTROL_CLASSES.get(field.widget_type, TEXTBOX)
    if field.errors:
        css += "".join(f" {invalid}" for base, invalid in INVALID.items() if css.startswith(base))
    classes = dict.fromkeys(field.field.widget.attrs.get("class", "").split() + css.split())
    return field.as_widget(attrs={"class": " ".join(classes)})


@register.simple_tag(takes_context=True)
def page_url(context: template.Context, param: str, number: int) -> str:
    """`?…&<param>=<number>`: the current query string with one parameter replaced."""
    request: HttpRequest = context["request"]
    query = request.GET.copy()
    query[param] = str(number)
    return "?" + query.urlencode()


@register.inclusion_tag("partials/pagination.html", takes_context=True)
def pagination(context: template.Context, page: Any, label: str = "", param: str = "page") -> dict[str, Any]:
    """Links for a Django `Page` (from `Paginator.get_page`); nothing is shown for a single page."""
    number, count = page.number, page.paginator.num_pages

    def url(n: int) -> str:
        return page_url(context, param, n)

    return {
        "label": label,
        "number": number,
        "count": count,
        "first": url(1) if number > 1 else None,
        "previous": url(page.previous_page_number()) if page.has_previous() else None,
        "next": url(page.next_page_number()) if page.has_next() else None,
        "last": url(count) if number < count else None,
    }


@register.inclusion_tag("partials/pagination.html")
def pagination_links(
    label: str = "",
    number: int | None = None,
    count: int | None = None,
    first: str | None = None,
    previous: str | None = None,
    next: str | None = None,  # noqa: A002 - the link's name
    last: str | None = None,
) -> dict[str, Any]:
    """The same links from URLs the view made (keyset pagination: no page numbers needed)."""
    return {
        "label": label,
        "number": number,
        "count": count,
        "first": first,
        "previous": previous,
        "next": next,
        "last": last,
    }


class DataTableNode(template.Node):
    def __init__(self, nodelist: template.NodeList, options: dict[str, Any]) -> None:
        self.nodelist = nodelist
        self.options = options

    def render(self, context: template.Context) -> str:
        values = {name: value.resolve(context) for name, value in self.options.items()}
        inner = self.nodelist.render(context)  # rendered by the engine, so already escaped
        return get_template("partials/datatable.html").render({**values, "table_content": mark_safe(inner)})  # noqa: S308


@register.tag("datatable")
def datatable(parser: Parser, token: Token) -> DataTableNode:
    """`{% datatable caption=… id=… [caption_hidden=True] [css="…"] %}…{% enddatatable %}`."""
    bits = token.split_contents()[1:]
    options = token_kwargs(bits, parser)
    if bits:
        raise template.TemplateSyntaxError(f"datatable takes only name=value options, not {bits}")
    if not {"caption", "id"} <= options.keys():
        raise template.TemplateSyntaxError("datatable needs caption=… (names the table) and id=…")
    nodelist = parser.parse(("enddatatable",))
    parser.delete_first_token()
    return DataTableNode(nodelist, options)
