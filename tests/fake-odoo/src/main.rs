//! `fake-odoo` binary: runs a fake Odoo until killed.
//!
//! `fake-odoo --version 16|17|18|19 [--port N] [--database NAME] [--admin-key K] [--demo2-key K]`
//! prints `fake-odoo listening on http://127.0.0.1:PORT` once ready. Tests
//! steer it over HTTP: `POST /__fake/control` (delays, faults, reset) and
//! `GET`/`DELETE /__fake/calls` (the call log); see the library docs.

use fake_odoo::{Config, FakeOdoo, OdooVersion};
use std::io::Write;

const USAGE: &str = "\
usage: fake-odoo --version 16|17|18|19 [--port N] [--database NAME] [--admin-key K] [--demo2-key K]

Test control (HTTP, on the same port; answers 200 {\"ok\":true} or 400 {\"ok\":false,\"error\":...}):
  POST /__fake/control {\"delay_ms\": 1500, \"methods\": [\"search_read\"]}
      matching calls sleep before answering (no methods: every API request; 0 removes)
  POST /__fake/control {\"fault\": KIND, \"methods\": [...], \"count\": N}
      the next N matching calls (no count: until reset) fail with KIND:
      http_500 | html (502) | rate_limited (429, Retry-After: 3) | malformed_json
      | truncated (short body, then close) | close (no answer) | redirect (307)
      | wrong_shape (carried out, then 200 with the result \"answer\", default false)
  POST /__fake/control {\"reset\": true}      clears delays and faults
  GET /__fake/calls                           {\"calls\": [{model, method, transport, login_or_uid, at_ms}]}
  DELETE /__fake/calls                        clears the call log
  methods match Odoo method names (search_read, fields_get...) and service calls
  (common.version or version, common.authenticate, web.version...).";

fn fail(msg: &str) -> ! {
    eprintln!("fake-odoo: {}\n{}", msg, USAGE);
    std::process::exit(2);
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut version = None;
    let mut port: u16 = 0;
    let mut database = None;
    let mut admin_key = None;
    let mut demo2_key = None;
    while let Some(flag) = args.next() {
        if flag == "-h" || flag == "--help" {
            println!("{}", USAGE);
            return;
        }
        let value = args.next().unwrap_or_else(|| fail(&format!("{} needs a value", flag)));
        match flag.as_str() {
            "--version" => {
                version =
                    Some(OdooVersion::parse(&value).unwrap_or_else(|| fail(&format!("unsupported version {}", value))))
            }
            "--port" => port = value.parse().unwrap_or_else(|_| fail("--port must be a number")),
            "--database" => database = Some(value),
            "--admin-key" => admin_key = Some(value),
            "--demo2-key" => demo2_key = Some(value),
            other => fail(&format!("unknown option {}", other)),
        }
    }
    let version = version.unwrap_or_else(|| fail("--version is required"));
    let mut config = Config::new(version);
    if let Some(db) = database {
        config.database = db;
    }
    for user in &mut config.users {
        match user.login.as_str() {
            "admin" => {
                if let Some(k) = &admin_key {
                    user.api_key = k.clone();
                }
            }
            "demo2" => {
                if let Some(k) = &demo2_key {
                    user.api_key = k.clone();
                }
            }
            _ => {}
        }
    }
    let odoo = FakeOdoo::start_on(config, port).unwrap_or_else(|e| fail(&format!("cannot listen: {}", e)));
    let mut out = std::io::stdout();
    let _ = writeln!(out, "fake-odoo listening on {}", odoo.url());
    let _ = out.flush();
    loop {
        std::thread::park();
    }
}
