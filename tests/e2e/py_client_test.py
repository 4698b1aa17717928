"""Interop with the official Python MCP SDK 2.x client (mcp, pinned in scripts/versions.env) over
Streamable HTTP.

Run by the e2e harness (tests/e2e/harness/python.mjs) with the project's .venv:
.venv/bin/python tests/e2e/py_client_test.py
Needs E2E_SETUP (written by setup.mjs). Its checks and their count are py_checks.py's.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from urllib.parse import quote

from mcp import ClientSession, types
from mcp.client.client import Client
from mcp.shared.exceptions import MCPError
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

# "Azure Interior" has id 15 on the Odoo 19 fake and 14 on 17.
AZURE = {"admin19": 15, "admin17": 14}
TEMPLATES = sorted(["odoo://{model}/{id}{?fields}", "odoo://{model}{?domain,fields,order,limit,offset}",
                    "odoo://{model}/fields", "odoo://{model}/{id}/chatter{?limit,cursor}",
                    "odoo://{model}/{id}/attachments", "odoo://{model}/{id}/attachments/{attachment_id}"])
PROMPTS = ["customer_overview", "draft_follow_up", "find_records", "pipeline_review", "summarize_record"]
WRITES = {"odoo_action", "odoo_attach", "odoo_batch", "odoo_chatter_post", "odoo_create", "odoo_delete", "odoo_update"}
# The e2e keys are read-only: tools/list offers them the read tools only (tools::offered).
TOOLS = ["odoo_aggregate", "odoo_chatter_read", "odoo_describe_model", "odoo_get", "odoo_list_models", "odoo_search"]

from py_checks import check, crashed, report

with open(os.environ["E2E_SETUP"], encoding="utf-8") as f:
    SETUP = json.load(f)



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


async def every_page(list_page, attr: str) -> list:
    """Every item of a paginated list; `list_page(cursor)` fetches one page."""
    items, cursor = [], None
    for _ in range(20):
        page = await list_page(cursor)
        items.extend(getattr(page, attr))
        cursor = page.next_cursor
        if not cursor:
            return items
    raise AssertionError(f"{attr}: still a next_cursor after 20 pages")


def resource_json(result, uri: str):
    """The JSON document of a one-content resources/read result (None if it is not one)."""
    if len(result.contents) != 1:
        return None
    c = result.contents[0]
    if c.uri != uri or c.mime_type != "application/json" or not isinstance(c, types.TextResourceContents):
        return None
    return json.loads(c.text)


async def error_of(call) -> MCPError | None:
    try:
        await call
    except MCPError as e:
        return e
    return None


async def resource_checks(label: str, s, list_kw, azure: int, not_found_code: int) -> None:
    """resources, prompts and completion through a ClientSession (list_kw(cursor) builds the list
    verbs' keyword arguments) or a Client; `not_found_code` is the era's."""
    r = await s.call_tool("odoo_list_models", {})
    readable = sorted(m["model"] for m in (r.structured_content or {}).get("models", []) if "read" in m["operations"])
    check(f"{label}: res.partner and crm.lead readable", {"res.partner", "crm.lead"} <= set(readable), str(readable))
    resources = await every_page(lambda c: s.list_resources(**list_kw(c)), "resources")
    want = ["odoo://models"] + [u for m in readable for u in (f"odoo://{m}", f"odoo://{m}/fields")]
    check(f"{label}: resources/list over pages", sorted(r.uri for r in resources) == sorted(want)
          and resources[0].uri == "odoo://models" and all(r.mime_type == "application/json" for r in resources),
          str([r.uri for r in resources]))
    templates = await every_page(lambda c: s.list_resource_templates(**list_kw(c)), "resource_templates")
    check(f"{label}: resources/templates/list", sorted(t.uri_template for t in templates) == TEMPLATES,
          str([t.uri_template for t in templates]))

    uri = f"odoo://res.partner/{azure}?fields=name,city"
    body = resource_json(await s.read_resource(uri), uri)
    check(f"{label}: read a record", body == {"model": "res.partner", "record": {"id": azure, "name": "Azure Interior", "city": "Fremont"}},
          str(body))

    domain = [["type", "=", "opportunity"]]
    uri = f"odoo://crm.lead?domain={quote(json.dumps(domain))}&fields=name,stage_id&order=id%20desc&limit=2&offset=3"
    page = resource_json(await s.read_resource(uri), uri) or {}
    r = await s.call_tool("odoo_search", {"model": "crm.lead", "domain": domain, "fields": ["name", "stage_id"],
                                          "order": "id desc", "limit": 2, "offset": 3})
    ids = [x.get("id") for x in page.get("records", [])]
    check(f"{label}: a search URI is odoo_search with the same domain, fields, order, limit and offset",
          not r.is_error and page.get("records") == (r.structured_content or {}).get("records")
          and len(ids) == 2 and ids == sorted(ids, reverse=True) and page.get("offset") == 3
          and "offset=5" in page.get("next_uri", ""), json.dumps(page)[:300])

    uri = f"odoo://res.partner/{azure}/chatter?limit=5"
    chatter = resource_json(await s.read_resource(uri), uri) or {}
    check(f"{label}: read a chatter", chatter.get("record_name") == "Azure Interior"
          and any(m.get("body") == "Met at the trade fair, wants a catalogue." for m in chatter.get("messages", [])),
          json.dumps(chatter)[:300])

    e = await error_of(s.read_resource("odoo://res.partner/987654321"))
    check(f"{label}: a missing record -> {not_found_code} with data.uri",
          e is not None and e.code == not_found_code and e.data == {"uri": "odoo://res.partner/987654321"}, repr(e))
    e = await error_of(s.read_resource("odoo://res.partner?fields=name;drop"))
    check(f"{label}: a malformed URI -> -32602 with data.uri",
          e is not None and e.code == -32602 and e.data == {"uri": "odoo://res.partner?fields=name;drop"} and "'fields'" in e.message,
          repr(e))

    prompts = await every_page(lambda c: s.list_prompts(**list_kw(c)), "prompts")
    check(f"{label}: prompts/list", sorted(p.name for p in prompts) == PROMPTS, str([p.name for p in prompts]))
    got = await s.get_prompt("customer_overview", {"customer": "Azure Interior"})
    text = got.messages[0].content.text if got.messages and got.messages[0].content.type == "text" else ""
    check(f"{label}: prompts/get resolves the customer by name",
          got.messages[0].role == "user" and f'res.partner {azure} ("Azure Interior")' in text, text[:300])
    e = await error_of(s.get_prompt("customer_overview", {"customer": "Nobody Of That Name"}))
    check(f"{label}: prompts/get with no matching record -> -32602", e is not None and e.code == -32602, repr(e))

    prompt = types.PromptReference(type="ref/prompt", name="summarize_record")
    c = await s.complete(prompt, {"name": "model", "value": "res"})
    check(f"{label}: complete a prompt's model", c.completion.values == ["res.partner"], str(c.completion))
    c = await s.complete(prompt, {"name": "record", "value": "azure"}, {"model": "res.partner"})
    check(f"{label}: complete a record name with the model in context",
          "Azure Interior" in c.completion.values and all("azure" in v.lower() for v in c.completion.values), str(c.completion))
    template = types.ResourceTemplateReference(type="ref/resource", uri="odoo://{model}/{id}{?fields}")
    c = await s.complete(template, {"name": "fields", "value": "name,ci"}, {"model": "res.partner"})
    check(f"{label}: complete a template's fields list", "name,city" in c.completion.values
          and all(v.startswith("name,") for v in c.completion.values), str(c.completion))


async def flow(label: str, key: str, azure: int) -> None:
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
                check(f"{label}: tools/list names, over pages", sorted(t.name for t in tools) == TOOLS and pages == 2,
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

                await resource_checks(label, s, lambda c: {"params": types.PaginatedRequestParams(cursor=c) if c else None},
                                      azure, -32002)


async def modern_flow(label: str, key: str, azure: int) -> None:
    """The SDK's high-level Client in auto mode: it must end on the stateless 2026-07-28 era."""
    print(f"py Client (auto), {label}")
    async with create_mcp_http_client(headers={"Authorization": f"Bearer {key}"}) as http:
        async with Client(streamable_http_client(SETUP["mcp_url"], http_client=http), mode="auto") as client:
            check(f"{label}: auto mode negotiates 2026-07-28", client.protocol_version == "2026-07-28", client.protocol_version)
            await resource_checks(label, client, lambda c: {"cursor": c}, azure, -32602)
            uri = f"odoo://res.partner/{azure}?fields=name"
            record = await client.read_resource(uri)
            fields = await client.read_resource("odoo://res.partner/fields")
            check(f"{label}: cache hints on resources/read (record 0, fields 60000, private)",
                  (record.ttl_ms, record.cache_scope, fields.ttl_ms, fields.cache_scope) == (0, "private", 60000, "private"),
                  str((record.ttl_ms, record.cache_scope, fields.ttl_ms, fields.cache_scope)))


async def main() -> int:
    for label, key_name in (("Odoo 19 (json2)", "admin19"), ("Odoo 17 (jsonrpc)", "admin17")):
        try:
            await flow(label, SETUP["keys"][key_name], AZURE[key_name])
        except BaseException as e:  # noqa: BLE001 - report and go on with the next flow
            crashed(label, e)
    try:
        await modern_flow("Odoo 19 (json2), stateless", SETUP["keys"]["admin19"], AZURE["admin19"])
    except BaseException as e:  # noqa: BLE001
        crashed("stateless flow", e)
    return report()


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
