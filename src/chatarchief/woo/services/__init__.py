"""The woo app's services: what the CLI and the web pages call (see docs/woo.md).

create_request, get_request, requests_for, extend, close, assign, active_requests_for
run_search -> {"hits", "documents"}; documents; document_view; document_messages
assess, confirm_assessment, current_assessment, unassessed
add_redaction, remove_redaction, suggestions
export_package
"""

from chatarchief.woo.services.assessing import (
    add_redaction,
    assess,
    confirm_assessment,
    current_assessment,
    remove_redaction,
    suggestions,
    unassessed,
)
from chatarchief.woo.services.cases import (
    WooError,
    active_requests_for,
    assign,
    close,
    create_request,
    extend,
    get_document,
    get_request,
    requests_for,
)
from chatarchief.woo.services.documents import chat_document, document_messages, document_view, run_search
from chatarchief.woo.services.export import export_package

__all__ = [
    "WooError",
    "active_requests_for",
    "add_redaction",
    "assess",
    "assign",
    "chat_document",
    "close",
    "confirm_assessment",
    "create_request",
    "current_assessment",
    "document_messages",
    "document_view",
    "export_package",
    "extend",
    "get_document",
    "get_request",
    "remove_redaction",
    "requests_for",
    "run_search",
    "suggestions",
    "unassessed",
]
