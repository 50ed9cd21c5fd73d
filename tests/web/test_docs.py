"""Every curl example in docs/api.md runs against the API and answers as the text says."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from casebycase.cases.model import Actor

PASSWORD = "correct-horse-battery"
ROOT = Path(__file__).resolve().parents[2]
BLOCK = re.compile(r"```sh\n(.*?)```", re.S)


def examples() -> list[tuple[str, int | None]]:
    """(command, expected status or None for any success) for each curl line."""
    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    found: list[tuple[str, int | None]] = []
    for block in BLOCK.findall(text):
        for line in block.replace("\\\n", " ").splitlines():
            if line.startswith("curl "):
                found.append((line, None))
            elif (m := re.match(r"# -> (\d+)", line)) and found:
                found[-1] = (found[-1][0], int(m.group(1)))
    return found


def _request(command: str) -> dict[str, Any]:
    args = shlex.split(command)[1:]
    out: dict[str, Any] = {"method": "GET", "headers": {}, "content": None}
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "-X":
            out["method"], i = args[i + 1], i + 1
        elif arg == "-H":
            key, value = args[i + 1].split(":", 1)
            out["headers"][key.strip()] = value.strip()
            i += 1
        elif arg == "-d":
            data = args[i + 1]
            out["content"] = (ROOT / data[1:]).read_bytes() if data.startswith("@") else data
            out["method"] = "POST" if out["method"] == "GET" else out["method"]
            i += 1
        elif arg.startswith("http"):
            out["url"] = arg.removeprefix("http://127.0.0.1:8000")
        i += 1
    return out


def test_every_example_in_api_md(client: TestClient) -> None:
    users = client.app.state.users  # type: ignore[attr-defined]
    admin = Actor("test", "policy_admin", "boone-county-so")
    users.add("officer@boone-county-so", "officer", "boone-county-so", admin, PASSWORD)
    users.add("supervisor@boone-county-so", "supervisor", "boone-county-so", admin)
    env = {
        "$API": "http://127.0.0.1:8000",
        "$PASSWORD": PASSWORD,
        "$TOKEN": users.issue_token("officer@boone-county-so"),
        "$SUPERVISOR": users.issue_token("supervisor@boone-county-so"),
    }
    ran = 0
    for command, expected in examples():
        for name, value in sorted(env.items(), key=lambda kv: -len(kv[0])):
            command = command.replace(name, value)
        r = client.request(**_request(command))
        if expected is None:
            assert r.status_code < 400, (command, r.status_code, r.text[:300])
        else:
            assert r.status_code == expected, (command, r.status_code, r.text[:300])
        if "$CASE" not in env and r.request.url.path == "/api/cases" and r.status_code == 201:
            env["$CASE"] = r.json()["id"]
        ran += 1
    assert ran >= 14
