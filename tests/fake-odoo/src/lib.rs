//! A fake Odoo (17.0 or 19.0) HTTP server for tests, faithful to the recorded
//! exchanges in `tests/fixtures/odoo`: `/jsonrpc`, `/json/2/<model>/<method>`
//! (19), version probes, stateful in-memory models with realistic demo data,
//! a real domain evaluator, access rights for a restricted user, and Odoo's
//! error classes, texts and statuses per version.
//!
//! ```no_run
//! use fake_odoo::{Config, FakeOdoo, OdooVersion};
//! let odoo = FakeOdoo::start(Config::new(OdooVersion::V19)).expect("start");
//! println!("{}", odoo.url());
//! ```

mod access;
mod dates;
mod domain;
mod errors;
mod eval;
mod grouping;
mod groups;
mod http;
mod json2;
mod jsonrpc;
mod methods;
mod model_rules;
mod out;
mod records;
mod schema;
mod search;
mod seed;
mod seed_data;
mod seed_schema;
mod signature;
mod store;
#[cfg(test)]
mod tests_domain;
mod values;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// Which Odoo to imitate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OdooVersion {
    V17,
    V19,
}

/// A user who authenticates with an API key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub login: String,
    pub uid: i64,
    pub api_key: String,
    /// A "Sales / User: Own Documents Only" user (like demo2) instead of an
    /// administrator.
    pub restricted: bool,
}

/// Server configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub version: OdooVersion,
    pub database: String,
    pub users: Vec<User>,
}

impl Config {
    /// The recorded setup: database `mcptest17` / `mcptest`, users `admin`
    /// (uid 2) and `demo2` (uid 8 on 17, 7 on 19, restricted).
    pub fn new(version: OdooVersion) -> Config {
        let (database, demo2_uid) = match version {
            OdooVersion::V17 => ("mcptest17", 8),
            OdooVersion::V19 => ("mcptest", 7),
        };
        Config {
            version,
            database: database.to_string(),
            users: vec![
                User {
                    login: "admin".into(),
                    uid: 2,
                    api_key: "admin-api-key-0000000000000000000000000001".into(),
                    restricted: false,
                },
                User {
                    login: "demo2".into(),
                    uid: demo2_uid,
                    api_key: "demo2-api-key-000000000000000000000000002".into(),
                    restricted: true,
                },
            ],
        }
    }
}

/// A running fake Odoo; stops serving when dropped.
pub struct FakeOdoo {
    port: u16,
    server: Arc<tiny_http::Server>,
    shared: Arc<http::Shared>,
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
}

impl FakeOdoo {
    /// Starts on a free port of 127.0.0.1.
    pub fn start(config: Config) -> std::io::Result<FakeOdoo> {
        FakeOdoo::start_on(config, 0)
    }

    /// Starts on 127.0.0.1:`port` (0: any free port).
    pub fn start_on(config: Config, port: u16) -> std::io::Result<FakeOdoo> {
        let server = tiny_http::Server::http(("127.0.0.1", port))
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::AddrInUse, e.to_string()))?;
        let port = server
            .server_addr()
            .to_ip()
            .map(|a| a.port())
            .ok_or_else(|| std::io::Error::other("not an IP listener"))?;
        let server = Arc::new(server);
        let shared = Arc::new(http::Shared {
            version: config.version,
            database: config.database.clone(),
            store: Mutex::new(seed::build(&config)),
            requests: AtomicU64::new(0),
        });
        let stop = Arc::new(AtomicBool::new(false));
        let threads = http::spawn(server.clone(), shared.clone(), stop.clone());
        Ok(FakeOdoo {
            port,
            server,
            shared,
            stop,
            threads,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Odoo API requests served so far (`/jsonrpc`, `/json/2/...` and the
    /// version probes), counted when they arrive.
    pub fn request_count(&self) -> u64 {
        self.shared.requests.load(Ordering::SeqCst)
    }
}

impl Drop for FakeOdoo {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        for _ in 0..self.threads.len() {
            self.server.unblock();
        }
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}
