//! The bench's Rust floor: forwards `POST /json/2/…` to `ODOO` with the four headers the JavaScript
//! floor forwards, and Odoo's answer back, its body streamed through (scripts/bench.mjs, `startFloor`).
//! Built with the server's tools and release profile, through `web_sys` as the server's adapter calls
//! the runtime, so that the two floors differ only in the language they are written in.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use worker::{event, Context, Env, Request, Result};

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<web_sys::Response> {
    let path = req.path();
    if path == "/health" {
        return Ok(web_sys::Response::new_with_opt_str(Some("ok"))?);
    }
    let odoo = env.var("ODOO")?.to_string();
    let inner = req.inner();
    let headers = web_sys::Headers::new()?;
    for name in ["authorization", "x-odoo-database", "content-type", "user-agent"] {
        headers.set(name, &inner.headers().get(name)?.unwrap_or_default())?;
    }
    let body = JsFuture::from(inner.array_buffer()?).await?;
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_headers(&headers);
    init.set_body(&body);
    let global: web_sys::WorkerGlobalScope = js_sys::global().unchecked_into();
    let answer: web_sys::Response =
        JsFuture::from(global.fetch_with_str_and_init(&(odoo + &path), &init)).await?.dyn_into()?;
    let out = web_sys::Headers::new()?;
    let content_type = answer.headers().get("content-type")?.unwrap_or_else(|| "application/json".into());
    out.set("content-type", &content_type)?;
    let response = web_sys::ResponseInit::new();
    response.set_status(answer.status());
    response.set_headers(&out);
    Ok(web_sys::Response::new_with_opt_readable_stream_and_init(answer.body().as_ref(), &response)?)
}
