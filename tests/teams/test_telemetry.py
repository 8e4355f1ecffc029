"""Telemetry as Application Insights would receive it, read from in-memory exporters: a span
per request served, a dependency span per call to Teams and to Azure Tables, and counters."""

from __future__ import annotations

from typing import Any

import pytest
from opentelemetry import metrics, trace
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader, NumberDataPoint
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from bot import telemetry
from tests.support import activities
from tests.support.botserver import BotServer
from tests.support.connector import ConnectorStandIn

_SPANS = InMemorySpanExporter()
_METRICS = InMemoryMetricReader()


@pytest.fixture(scope="session")
def recorded() -> tuple[InMemorySpanExporter, InMemoryMetricReader]:
    """The process's providers, as configure_azure_monitor would set them, exporting to
    memory (a process sets its providers once)."""
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(_SPANS))
    trace.set_tracer_provider(provider)
    metrics.set_meter_provider(MeterProvider(metric_readers=[_METRICS]))
    telemetry.trace_azure_sdk()
    return _SPANS, _METRICS


def _counters(reader: InMemoryMetricReader) -> dict[str, int]:
    data = reader.get_metrics_data()
    found: dict[str, int] = {}
    for resource in data.resource_metrics if data else []:
        for scope in resource.scope_metrics:
            for metric in scope.metrics:
                if metric.name.startswith("node."):  # the node's own counters
                    points = [p for p in metric.data.data_points if isinstance(p, NumberDataPoint)]
                    found[metric.name] = sum(int(p.value) for p in points)
    return found


async def test_a_question_is_traced_from_request_to_teams_and_counted(
    recorded: tuple[InMemorySpanExporter, InMemoryMetricReader],
    any_bot: BotServer,
    connector: ConnectorStandIn,
) -> None:
    spans, reader = recorded
    spans.clear()
    before = _counters(reader).get("node.questions", 0)
    status, _ = await any_bot.post(activities.message(connector.url, "städkemikalier"))
    assert status == 200
    finished = spans.get_finished_spans()
    (server,) = [s for s in finished if s.kind == SpanKind.SERVER]
    attributes: Any = server.attributes
    assert server.name == "POST /api/messages"
    assert attributes["http.response.status_code"] == 200
    teams = [
        s
        for s in finished
        if s.kind == SpanKind.CLIENT
        and "/v3/conversations"
        in str((s.attributes or {}).get("url.full") or (s.attributes or {}).get("http.url"))
    ]
    assert teams, [s.name for s in finished]
    assert all(s.context.trace_id == server.context.trace_id for s in teams)
    assert any_bot.node is not None
    if type(any_bot.node.store).__name__ == "AzureTableStore":  # storage calls are spans
        assert any("Table" in s.name or "Entit" in s.name for s in finished), [
            s.name for s in finished
        ]
    assert _counters(reader)["node.questions"] == before + 1
    # Nothing personal in a span: no message text.
    assert not any("städkemikalier" in str(s.attributes) for s in finished)
