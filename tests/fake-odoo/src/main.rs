//! `fake-odoo` binary: runs a fake Odoo until killed.
//!
//! `fake-odoo --version 17|19 [--port N] [--database NAME] [--admin-key K] [--demo2-key K]`
//! prints `fake-odoo listening on http://127.0.0.1:PORT` once ready.

use fake_odoo::{Config, FakeOdoo, OdooVersion};
use std::io::Write;

const USAGE: &str =
    "usage: fake-odoo --version 17|19 [--port N] [--database NAME] [--admin-key K] [--demo2-key K]";

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
        let value = args
            .next()
            .unwrap_or_else(|| fail(&format!("{} needs a value", flag)));
        match flag.as_str() {
            "--version" => {
                version = Some(match value.as_str() {
                    "17" | "17.0" => OdooVersion::V17,
                    "19" | "19.0" => OdooVersion::V19,
                    other => fail(&format!("unsupported version {}", other)),
                })
            }
            "--port" => {
                port = value
                    .parse()
                    .unwrap_or_else(|_| fail("--port must be a number"))
            }
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
    let odoo =
        FakeOdoo::start_on(config, port).unwrap_or_else(|e| fail(&format!("cannot listen: {}", e)));
    let mut out = std::io::stdout();
    let _ = writeln!(out, "fake-odoo listening on {}", odoo.url());
    let _ = out.flush();
    loop {
        std::thread::park();
    }
}
