//! Telling connected clients that a key's lists changed (an administrator changed its scope or a model's
//! permissions), on a stream the client holds open: a session's GET stream (2025 era) or a 2026-07-28
//! `subscriptions/listen`. Isolates share nothing, so the stream's own request looks at D1 every
//! `LIST_WATCH_MS` (`store::standing`: is the key still usable, what are its permissions) and compares
//! the lists they give (`capabilities::lists`) with the last ones, sending `notifications/*/list_changed`
//! for each that changed. A watch ends when the client leaves, the key is no longer usable, its
//! subrequests are spent or after `MAX_WATCH_MS`; the client then opens another.

use super::reply::{rpc_error, Admitted};
use crate::access::Scope;
use crate::capabilities::lists::Lists;
use crate::http::{HttpResponse, LogFields};
use crate::json;
use crate::mcp::jsonrpc::{self, RpcError};
use crate::mcp::stream::{sse_frame, sse_head, ResponseStream};
use crate::platform::now_ms;
use crate::policy::permissions::Permissions;
use crate::services::Services;
use crate::store;
use serde_json::{Map, Value};

/// The longest one watch lasts (the client then opens another).
pub const MAX_WATCH_MS: i64 = 15 * 60_000;
/// How long a client waits before it opens the stream again once it ends (SSE `retry`).
pub const RETRY_MS: u64 = 5_000;
const SUBSCRIPTION_ID: &str = "io.modelcontextprotocol/subscriptionId";

/// Which lists a client wants to hear about.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Wanted {
    pub tools: bool,
    pub prompts: bool,
    pub resources: bool,
}

impl Wanted {
    pub const ALL: Wanted = Wanted { tools: true, prompts: true, resources: true };

    fn wants(self, method: &str) -> bool {
        match method {
            "notifications/tools/list_changed" => self.tools,
            "notifications/prompts/list_changed" => self.prompts,
            "notifications/resources/list_changed" => self.resources,
            _ => false,
        }
    }

    fn any(self) -> bool {
        self.tools || self.prompts || self.resources
    }
}

/// The lists the key now has, `None` when it is no longer usable.
async fn current(svc: &Services<'_>, key_hash: &str) -> Result<Option<Lists>, store::StoreError> {
    let Some(standing) = store::standing::read(svc.db, key_hash).await? else { return Ok(None) };
    if crate::policy::auth::unusable(&standing.status, now_ms()).is_some() {
        return Ok(None);
    }
    // A stored scope that cannot be read narrows to nothing rather than to everything.
    let scope = match standing.scope.as_deref() {
        None => Scope::default(),
        Some(s) => crate::json::from_str(s).unwrap_or(Scope { operations: Some(Vec::new()), ..Scope::default() }),
    };
    Ok(Some(Lists::of(&Permissions { models: standing.models, scope })))
}

/// Watches the key's lists on `stream` (already started), sending `notify(method)` for each wanted list
/// that changes; returns why it ended.
pub async fn watch(
    svc: &Services<'_>,
    key_hash: &str,
    stream: &ResponseStream,
    wanted: Wanted,
    notify: impl Fn(&str) -> Value,
) -> &'static str {
    let started = now_ms();
    let mut lists = match current(svc, key_hash).await {
        Ok(Some(l)) => l,
        Ok(None) => return "key_unusable",
        Err(_) => return "store_unavailable",
    };
    loop {
        let next = now_ms() + svc.settings.list_watch_ms as i64;
        while now_ms() < next {
            if stream.client_gone() {
                return "client_gone";
            }
            (svc.sleep)((next - now_ms()).clamp(1, 1000) as u64).await;
        }
        if now_ms() - started >= MAX_WATCH_MS {
            return "time_limit";
        }
        // Leave one for the after-response statements.
        if svc.subrequests_left() <= 1 {
            return "budget";
        }
        match current(svc, key_hash).await {
            Ok(Some(now)) => {
                for method in now.changed_since(&lists).into_iter().filter(|m| wanted.wants(m)) {
                    stream.send(sse_frame(&notify(method)));
                }
                lists = now;
            }
            Ok(None) => return "key_unusable",
            // A failed look is tried again at the next one.
            Err(_) => {}
        }
    }
}

/// `subscriptions/listen` (2026-07-28): acknowledges the list notifications it honours (not resource
/// subscriptions: records are not watched), then sends them tagged with the listen request's id until
/// the watch ends, and closes with the final response, which tells the client it may listen again
/// (`shape`: the lane's shaping of that result).
pub async fn subscription(
    post: &Admitted<'_>,
    id: &Value,
    params: &Map<String, Value>,
    log: &mut LogFields,
    shape: impl Fn(Value) -> Value,
) -> HttpResponse {
    let asked = match params.get("notifications") {
        None => Map::new(),
        Some(Value::Object(n)) => n.clone(),
        Some(_) => {
            return rpc_error(400, id, &RpcError::invalid_params("Invalid params: 'notifications' must be an object"))
        }
    };
    let on = |k: &str| asked.get(k) == Some(&Value::Bool(true));
    let wanted = Wanted {
        tools: on("toolsListChanged"),
        prompts: on("promptsListChanged"),
        resources: on("resourcesListChanged"),
    };
    let mut honored = Map::new();
    for (k, yes) in [
        ("toolsListChanged", wanted.tools),
        ("promptsListChanged", wanted.prompts),
        ("resourcesListChanged", wanted.resources),
    ] {
        if yes {
            honored.insert(k.into(), json!(true));
        }
    }
    let tag = json!({SUBSCRIPTION_ID: id});
    let ack = json!({"jsonrpc": "2.0", "method": "notifications/subscriptions/acknowledged",
        "params": {"notifications": honored, "_meta": tag}});
    let close = jsonrpc::success(id, shape(json!({"_meta": tag})));
    if !wanted.any() {
        // Nothing to watch: the acknowledgement of nothing, then the graceful end.
        let body = [sse_frame(&ack), sse_frame(&close)].concat();
        return HttpResponse { body, ..sse_head() };
    }
    post.stream.start(sse_head());
    post.stream.send(sse_frame(&ack));
    let notify = |method: &str| json!({"jsonrpc": "2.0", "method": method, "params": {"_meta": tag}});
    let ended = watch(post.svc, &post.auth.key_hash, post.stream, wanted, notify).await;
    log.insert("ended".into(), json!(ended));
    if ended != "client_gone" {
        post.stream.send(sse_frame(&close));
    }
    post.stream.finish();
    sse_head()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_wanted_lists_are_told() {
        let w = Wanted { tools: true, prompts: false, resources: true };
        assert!(w.wants("notifications/tools/list_changed"));
        assert!(!w.wants("notifications/prompts/list_changed"));
        assert!(w.wants("notifications/resources/list_changed"));
        assert!(!w.wants("notifications/resources/updated"));
        assert!(!Wanted::default().any());
    }
}
