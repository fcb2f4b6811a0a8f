"""The connection pool in /metrics: connections open and in use, and how many were opened."""

import re


def _value(text: str, name: str, **labels: str) -> float:
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    for line in text.splitlines():
        match = re.match(rf"^{name}\{{(.*)\}} (\S+)$", line)
        if match and ",".join(sorted(match.group(1).split(","))) == wanted:
            return float(match.group(2))
    raise AssertionError(f"{name} {labels} not in /metrics")


async def test_metrics_show_the_pools_connections(client, auth, ref) -> None:
    await client.get("/families", headers=auth("district_professional", team=ref.teams["GM0363"]))
    text = (await client.get("/metrics")).text
    assert _value(text, "perspectief_db_connections", pool="primary", state="open") >= 1
    assert _value(text, "perspectief_db_connections", pool="primary", state="in_use") >= 0
    assert _value(text, "perspectief_db_connections_opened_total", pool="primary") >= 1
