//! What a request is served with: the runtime's database and HTTP client, the settings, the clock
//! reading of its arrival and its subrequest count. Every layer above takes it by reference.

use crate::config::Settings;
use crate::platform::{Db, Http, Sleep};
use crate::subrequests;

/// What a request is served with: the runtime's database and HTTP client, the settings, the time the
/// request arrived, and the count of its subrequests (kept by `serve`).
pub struct Services<'a> {
    pub db: &'a dyn Db,
    pub http: &'a dyn Http,
    pub settings: &'a Settings,
    pub now: i64,
    pub subrequests: &'a subrequests::Subrequests,
    /// The runtime's timer.
    pub sleep: Sleep,
}

impl Services<'_> {
    /// Subrequests this request may still make (`SUBREQUEST_BUDGET` less those made and the
    /// after-response round trip).
    pub fn subrequests_left(&self) -> u32 {
        self.subrequests.left(self.settings.subrequest_budget)
    }
}
