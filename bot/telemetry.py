"""Telemetry: OpenTelemetry traces and metrics, exported to Application Insights when
APPLICATIONINSIGHTS_CONNECTION_STRING is set (App Service sets it from the Bicep).

Without it the OpenTelemetry API's no-op providers answer, at the cost of a function call.
What is recorded: a span per HTTP request the node serves, a span per call it makes through
its shared HTTP session (Teams' Bot Connector, Graph) and per Azure Tables call (azure-core's
own tracing), and counters for what the node is for: questions, tickets, digests, reminders.
Spans carry routes and status codes, never message text, names or tokens.
"""

from __future__ import annotations

import logging
from functools import cache
from typing import Any

from opentelemetry import metrics, trace

log = logging.getLogger(__name__)

NAME = "miljokravsnoden"
# Counter name -> what one unit is; the names are what dashboards and alerts query.
COUNTERS = {
    "questions": "a question answered from the library",
    "tickets": "a question that became a ticket for the experts",
    "digests": "a weekly digest card delivered to a channel",
    "reminders": "a follow-up reminder delivered",
    "messages": "a message the node sent on its own finished (kind, outcome)",
    "jobs": "a background job ran (job, outcome: ok or failed)",
}


def configure(connection_string: str) -> bool:
    """Export to Application Insights; False (and nothing done) without a connection string."""
    if not connection_string:
        return False
    from azure.monitor.opentelemetry import configure_azure_monitor

    configure_azure_monitor(
        connection_string=connection_string,
        logger_name="bot",  # the node's own log records, not every library's
        # The node makes its own request and dependency spans (see bot/teams/_web.py).
        instrumentation_options={name: {"enabled": False} for name in (
            "django", "fastapi", "flask", "psycopg2", "requests", "urllib", "urllib3")},
    )  # fmt: skip
    trace_azure_sdk()
    log.info("telemetry to Application Insights on")
    return True


def trace_azure_sdk() -> None:
    """Azure SDK calls (Azure Tables) become spans of the current trace."""
    from azure.core.settings import settings

    settings.tracing_implementation = "opentelemetry"


def enabled() -> bool:
    """Whether spans go anywhere: a tracer provider was set (configure(), or a test's)."""
    return not isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider)


def tracer() -> trace.Tracer:
    return trace.get_tracer(NAME)


def count(name: str, amount: int = 1, **attributes: Any) -> None:
    """Add to one of COUNTERS (attributes: low-cardinality facts such as an area)."""
    _counter(name).add(amount, attributes)


@cache
def _counter(name: str) -> metrics.Counter:
    if name not in COUNTERS:
        raise KeyError(name)
    # Made through the API's global meter: it follows a provider set later (at start).
    return metrics.get_meter(NAME).create_counter(f"node.{name}", description=COUNTERS[name])
