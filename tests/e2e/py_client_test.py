"""Interop with the official Python MCP SDK 2.x client (mcp==2.3.0) over Streamable HTTP.

Run by run.sh with the project's .venv: .venv/bin/python tests/e2e/py_client_test.py
Needs E2E_SETUP (written by setup.mjs). Prints one line per check and `py: N passed, M failed`.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import traceback

from mcp import ClientSession, types
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

WRITES = {"odoo_batch", "odoo_chatter_post", "odoo_create", "odoo_delete", "odoo_update"}
TOOLS = ["odoo_aggregate", "odoo_batch", "odoo_chatter_post", "odoo_chatter_read", "odoo_create", "odoo_delete", "odoo_describe_model", "odoo_get", "odoo_list_models", "odoo_search", "odoo_update"]

with open(os.environ["E2E_SETUP"], encoding="utf-8") as f:
    SETUP = json.load(f)

passed = 0
failed = 0


def check(name: str, cond: bool, detail: str = "") -> None:
    global passed, failed
    if cond:
        passed += 1
        print(f"  ok   {name}")
    else:
        failed += 1
        print(f"  FAIL {name} {detail}")


def text_of(result) -> str:
    return "\n".join(getattr(c, "text", "") for c in result.content)


async def all_tools(s: ClientSession) -> tuple[list, int]:
    """Every tool, following nextCursor (the e2e worker lists 3 per page)."""
    tools, pages, cursor = [], 0, None
    while True:
        page = await s.list_tools(params=types.PaginatedRequestParams(cursor=cursor) if cursor else None)
        tools.extend(page.tools)
        pages += 1
        cursor = page.next_cursor
        if not cursor or pages > 10:
            return tools, pages


async def flow(label: str, key: str) -> None:
    print(f"py client, {label}")
    session_ids: list[str] = []
    logs: list = []

    async def on_log(params) -> None:
        logs.append(params)

    async def on_response(response) -> None:
        sid = response.headers.get("mcp-session-id")
        if sid:
            session_ids.append(sid)

    async with create_mcp_http_client(headers={"Authorization": f"Bearer {key}"}) as http:
        http.event_hooks["response"].append(on_response)
        async with streamable_http_client(SETUP["mcp_url"], http_client=http) as streams:
            read, write = streams[0], streams[1]
            async with ClientSession(read, write, logging_callback=on_log) as s:
                init = await s.initialize()
                check(f"{label}: initialize negotiates 2025-11-25", init.protocol_version == "2025-11-25",
                      init.protocol_version)
                check(f"{label}: session id issued", bool(session_ids))
                check(f"{label}: serverInfo.name", bool(init.server_info.name))

                tools, pages = await all_tools(s)
                check(f"{label}: tools/list names, over pages", sorted(t.name for t in tools) == TOOLS and pages == 4,
                      f"{[t.name for t in tools]} in {pages} pages")
                for t in tools:
                    check(
                        f"{label}: {t.name} described",
                        bool(t.description)
                        and t.input_schema.get("type") == "object"
                        and (t.output_schema or {}).get("type") == "object"
                        and t.annotations is not None
                        and t.annotations.read_only_hint is (t.name not in WRITES),
                        t.model_dump_json(by_alias=True)[:300],
                    )

                r = await s.call_tool("odoo_search", {"model": "res.partner", "fields": ["name"], "limit": 5})
                sc = r.structured_content or {}
                records = sc.get("records") if isinstance(sc, dict) else None
                ok = (not r.is_error and isinstance(records, list) and 0 < len(records) <= 5
                      and all(isinstance(x.get("id"), int) for x in records)
                      and isinstance(sc.get("count"), int))
                check(f"{label}: odoo_search res.partner", ok, text_of(r)[:300])
                ids = [x["id"] for x in records] if ok else []

                missing = 987654321
                r = await s.call_tool("odoo_get", {"model": "res.partner", "ids": ids + [missing], "fields": ["name"]})
                sc = r.structured_content or {}
                ok = (not r.is_error and isinstance(sc, dict) and bool(ids)
                      and sorted(x.get("id") for x in sc.get("records", [])) == sorted(ids)
                      and sc.get("missing_ids") == [missing])
                check(f"{label}: odoo_get the ids found", ok, text_of(r)[:300])

                progress: list[tuple] = []

                async def on_progress(done, total, message) -> None:
                    progress.append((done, total, message))

                await s.set_logging_level("info")
                r = await s.call_tool("odoo_search", {"model": "res.partner", "fields": ["name", "no_such_field"], "limit": 2},
                                      progress_callback=on_progress)
                check(f"{label}: progress notifications before the result",
                      not r.is_error and len(progress) == 2 and progress[-1][0] == progress[-1][1] == 2, str(progress))
                levels = sorted({getattr(m, "level", None) for m in logs})
                check(f"{label}: notifications/message at or above info", "info" in levels and "warning" in levels
                      and "debug" not in levels, str(levels))
                check(f"{label}: log messages name what happened", any("no_such_field" in str(m.data) for m in logs),
                      str([m.data for m in logs])[:300])

                r = await s.call_tool("odoo_search", {"model": "res.users", "limit": 1})
                check(f"{label}: sensitive model res.users refused (isError)", r.is_error is True, text_of(r)[:300])


async def main() -> int:
    for label, key_name in (("Odoo 19 (json2)", "admin19"), ("Odoo 17 (jsonrpc)", "admin17")):
        try:
            await flow(label, SETUP["keys"][key_name])
        except BaseException as e:  # noqa: BLE001 - report and go on with the next flow
            global failed
            failed += 1
            print(f"  FAIL {label}: {type(e).__name__}: {e}")
            traceback.print_exc()
    print(f"py: {passed} passed, {failed} failed")
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
