"""OAuth with the official Python MCP SDK 2.x client (mcp, pinned in scripts/versions.env): its
OAuthClientProvider against the worker as its own authorization server, the high-level Client in auto
mode (stateless 2026-07-28). The browser is plain HTTP here: the redirect handler GETs the sign-in page,
keeps its nonce cookie and hidden ticket, POSTs the form as demo2 and reads the code from the redirect,
which the callback handler hands back. Then tools as demo2, a refresh the provider does by itself when
its clock says the access token expired, and the administrator's revocation.

Run by the e2e harness (tests/e2e/harness/python.mjs) with the project's .venv:
.venv/bin/python tests/e2e/py_oauth_test.py
Needs E2E_SETUP (written by setup.mjs). Its checks and their count are py_checks.py's.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
import time
from urllib.parse import parse_qs, urlparse

import httpx2
from mcp.client.auth import OAuthClientProvider
from mcp.client.client import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client
from mcp.shared.auth import AuthorizationCodeResult, OAuthClientInformationFull, OAuthClientMetadata, OAuthToken

from py_checks import check, crashed, report

with open(os.environ["E2E_SETUP"], encoding="utf-8") as f:
    SETUP = json.load(f)
BASE = SETUP["worker_url"]
MCP_URL = SETUP["mcp_url"]
ADMIN = {"authorization": f"Bearer {SETUP['admin_token']}"}
DEMO2_KEY = SETUP["odoo"]["c19"]["demo2"]
REDIRECT = "http://127.0.0.1:33418/callback"



def remember(*secrets: str | None) -> None:
    """Secrets the worker handed out join the closing secret scan ($E2E_EXTRA_SECRETS)."""
    path = os.environ.get("E2E_EXTRA_SECRETS")
    found = [s for s in secrets if s and len(s) >= 16]
    if path and found:
        with open(path, "a", encoding="utf-8") as f:
            f.write("".join(f"{s}\n" for s in found))


class MemoryStorage:
    def __init__(self) -> None:
        self.tokens: OAuthToken | None = None
        self.client: OAuthClientInformationFull | None = None
        self.saved: list[OAuthToken] = []

    async def get_tokens(self) -> OAuthToken | None:
        return self.tokens

    async def set_tokens(self, tokens: OAuthToken) -> None:
        self.tokens = tokens
        self.saved.append(tokens)
        remember(tokens.access_token, tokens.refresh_token)

    async def get_client_info(self) -> OAuthClientInformationFull | None:
        return self.client

    async def set_client_info(self, client_info: OAuthClientInformationFull) -> None:
        self.client = client_info


class PlainBrowser:
    """The person's browser, without script: answers the sign-in page as demo2 on `connection`."""

    def __init__(self, connection: int) -> None:
        self.connection = connection
        self.opened: list[str] = []
        self.result: AuthorizationCodeResult | None = None
        self.refuse = False

    async def redirect_handler(self, url: str) -> None:
        self.opened.append(url)
        if self.refuse:
            raise RuntimeError("sign-in needed again (the test does not sign in a second time)")
        async with httpx2.AsyncClient(timeout=30) as http:
            page = await http.get(url)
            if page.status_code != 200:
                raise RuntimeError(f"sign-in page: HTTP {page.status_code} {page.text[:300]}")
            ticket = re.search(r'name=ticket value="([^"]+)"', page.text)
            cookie = page.headers.get("set-cookie", "").split(";")[0]
            offered = [int(a or b) for a, b in re.findall(r"name=connection value=(\d+)|<option value=(\d+)>", page.text)]
            if not ticket or not cookie or self.connection not in offered:
                raise RuntimeError(f"sign-in page without ticket, cookie or connection {self.connection}: {page.text[:300]}")
            answer = await http.post(
                f"{BASE}/authorize",
                data={"ticket": ticket.group(1), "connection": str(self.connection), "login": "demo2",
                      "api_key": DEMO2_KEY, "decision": "allow"},
                headers={"cookie": cookie, "origin": BASE},
            )
        location = answer.headers.get("location", "")
        if answer.status_code != 302 or not location.startswith(REDIRECT):
            raise RuntimeError(f"sign-in answer: HTTP {answer.status_code} {location or answer.text[:300]}")
        q = {k: v[0] for k, v in parse_qs(urlparse(location).query).items()}
        remember(q.get("code"))
        self.result = AuthorizationCodeResult(code=q["code"], state=q.get("state"), iss=q.get("iss"))

    async def callback_handler(self) -> AuthorizationCodeResult:
        if self.result is None:
            raise RuntimeError("no code came back")
        result, self.result = self.result, None
        return result


async def admin(http: httpx2.AsyncClient, method: str, path: str, body: dict | None = None) -> httpx2.Response:
    return await http.request(method, f"{BASE}{path}", headers=ADMIN, json=body)


async def grant_of(http: httpx2.AsyncClient, client_id: str) -> dict | None:
    grants = (await admin(http, "GET", "/admin/api/oauth/grants")).json()["grants"]
    return next((g for g in grants if g["client_id"] == client_id), None)


async def demo2_leads(client: Client) -> tuple[bool, str]:
    r = await client.call_tool("odoo_search", {"model": "crm.lead", "fields": ["name", "user_id"], "limit": 50})
    sc = r.structured_content or {}
    users = [x.get("user_id") for x in sc.get("records", [])] if isinstance(sc, dict) else []
    ok = not r.is_error and bool(users) and all(not u or u[1] != "Mitchell Admin" for u in users)
    return ok, str(users)[:300]


async def flow() -> None:
    async with httpx2.AsyncClient(timeout=30) as http:
        conn = (await admin(http, "POST", "/admin/api/connections",
                            {"name": "e2e-oauth-py", "url": SETUP["connections"]["c19"]["url"],
                             "database": SETUP["connections"]["c19"]["database"]})).json()["id"]
        for model in ("res.partner", "crm.lead"):
            await admin(http, "PUT", f"/admin/api/connections/{conn}/models/{model}",
                        {"read": True, "create": False, "update": False, "delete": False})
        r = await admin(http, "PUT", f"/admin/api/connections/{conn}/oauth", {"enabled": True, "who": "any", "logins": []})
        check("the administrator offers OAuth sign-in on a connection", r.status_code == 200, r.text[:200])
        try:
            await signed_in_flow(http, conn)
        finally:
            await admin(http, "PUT", f"/admin/api/connections/{conn}/oauth", {"enabled": False, "who": "any", "logins": []})


async def signed_in_flow(http: httpx2.AsyncClient, conn: int) -> None:
    storage = MemoryStorage()
    browser = PlainBrowser(conn)
    provider = OAuthClientProvider(
        server_url=MCP_URL,
        client_metadata=OAuthClientMetadata(
            client_name="e2e Python SDK client",
            redirect_uris=[REDIRECT],
            grant_types=["authorization_code", "refresh_token"],
            response_types=["code"],
            token_endpoint_auth_method="none",
        ),
        storage=storage,
        redirect_handler=browser.redirect_handler,
        callback_handler=browser.callback_handler,
    )
    revoked = False
    try:
        await connected_flow(http, provider, storage, browser)
    except BaseException as e:  # noqa: BLE001 - after the revocation, the refusal; before it, a failure
        if not browser.refuse:
            raise
        # The refused sign-in ends the transport's task group: the call fails with it.
        revoked = True
        print(f"  (refused: {type(e).__name__}: {str(e)[:150]})")
    check("py OAuth: after revocation the call fails and the provider asks for a new sign-in",
          revoked and len(browser.opened) == 2, f"refused={revoked}, opened={len(browser.opened)}")


async def connected_flow(http: httpx2.AsyncClient, provider: OAuthClientProvider, storage: MemoryStorage,
                         browser: PlainBrowser) -> None:
    async with create_mcp_http_client(auth=provider) as mcp_http:
        async with Client(streamable_http_client(MCP_URL, http_client=mcp_http), mode="auto") as client:
            check("py OAuth: registered by DCR", bool(storage.client and storage.client.client_id.startswith("omcl_")))
            opened = urlparse(browser.opened[0]) if browser.opened else None
            q = parse_qs(opened.query) if opened else {}
            check("py OAuth: the authorization URL asks for this resource with PKCE S256",
                  q.get("resource") == [MCP_URL] and q.get("code_challenge_method") == ["S256"], str(q)[:300])
            tokens = storage.tokens
            check("py OAuth: tokens of their form, read-only scope",
                  bool(tokens) and tokens.access_token.startswith("omat_") and (tokens.refresh_token or "").startswith("omrt_")
                  and tokens.scope == "odoo.read", str(tokens and tokens.scope))
            check("py OAuth: auto mode ends on the stateless 2026-07-28 era", client.protocol_version == "2026-07-28",
                  client.protocol_version)
            tools = await client.list_tools()
            check("py OAuth: tools/list", any(t.name == "odoo_search" for t in tools.tools), str([t.name for t in tools.tools]))
            ok, detail = await demo2_leads(client)
            check("py OAuth: odoo_search crm.lead as demo2 (only demo2's leads)", ok, detail)
            grant = await grant_of(http, storage.client.client_id)
            check("py OAuth: the grant is listed, active, as demo2",
                  bool(grant) and grant["status"] == "active" and grant["odoo_login"] == "demo2", str(grant))

            # An hour later, as the provider's clock sees it: it refreshes before the next request.
            before = storage.tokens
            provider.context.token_expiry_time = time.time() - 1
            ok, detail = await demo2_leads(client)
            check("py OAuth: an expired access token is refreshed by the provider, and the call works", ok, detail)
            check("py OAuth: the refresh rotated both tokens, with no new sign-in",
                  storage.tokens.access_token != before.access_token and storage.tokens.refresh_token != before.refresh_token
                  and len(browser.opened) == 1, f"{len(storage.saved)} saved, {len(browser.opened)} opened")
            stale = await http.post(f"{BASE}/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
                                    headers={"authorization": f"Bearer {before.access_token}",
                                             "content-type": "application/json", "accept": "application/json, text/event-stream"})
            check("py OAuth: the access token before the refresh no longer works", stale.status_code == 401, str(stale.status_code))

            # The administrator revokes: refused at once; the provider goes back to the browser.
            r = await admin(http, "POST", f"/admin/api/oauth/grants/{grant['key_id']}/revoke")
            check("py OAuth: the administrator revokes the grant", r.status_code == 200, r.text[:200])
            browser.refuse = True
            await client.call_tool("odoo_search", {"model": "crm.lead", "limit": 1})


async def main() -> int:
    print("py OAuth: OAuthClientProvider + Client (auto)")
    try:
        await flow()
    except BaseException as e:  # noqa: BLE001 - report and count
        crashed("OAuth flow", e)
    return report()


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
