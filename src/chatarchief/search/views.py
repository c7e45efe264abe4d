"""The search page: a GET form, one page of highlighted hits with the count, links into the
conversation at the message. Calls the same service as `chatarchief search` (search_for)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from chatarchief.access import services as access
from chatarchief.access.constants import Action
from chatarchief.core.errors import ChatarchiefError
from chatarchief.core.search import QueryError
from chatarchief.search.forms import SearchForm
from chatarchief.search.services import search_for

PER_PAGE = 25
MAX_PAGES = 40  # the search service pages up to 1000 hits


def search_page(request: HttpRequest) -> HttpResponse:
    custodians = access.custodians(request.user, Action.READ_CONTENT).order_by("name")
    form = SearchForm(request.GET or None, custodians=custodians)
    context: dict[str, object] = {"form": form, "searched": False}
    if request.GET and form.is_valid():
        data = form.cleaned_data
        asked = request.GET.get("page") or "1"
        number = max(1, min(int(asked) if asked.isdigit() else 1, MAX_PAGES))
        try:
            result = search_for(
                request.user,
                f"web:{request.user.get_username()}",
                data["q"],
                custodian=data["custodian"] or None,
                date_from=data["date_from"],
                date_to=data["date_to"],
                sender=data["sender"] or None,
                channel=data["channel"] or None,
                sort=data["sort"] or "time",
                limit=PER_PAGE,
                offset=(number - 1) * PER_PAGE,
            )
        except QueryError as error:
            form.add_error("q", error.message(_lang(request)))
        except ChatarchiefError as error:
            form.add_error("custodian", error.message(_lang(request)))
        else:
            pages = Paginator(range(min(result.total, PER_PAGE * MAX_PAGES)), PER_PAGE)
            page = pages.get_page(number) if result.total else None
            context.update(searched=True, result=result, page=page, first=(number - 1) * PER_PAGE + 1)
    return render(request, "search/search.html", context)


def _lang(request: HttpRequest) -> str:
    return "en" if (getattr(request, "LANGUAGE_CODE", "nl") or "nl").startswith("en") else "nl"
