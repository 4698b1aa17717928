//! The thin Cloudflare Workers adapter: converts `worker` types to the core's and back.
use worker::*;

#[event(fetch)]
async fn fetch(_req: Request, _env: Env, _ctx: Context) -> Result<Response> {
    Response::error("Not found", 404)
}
