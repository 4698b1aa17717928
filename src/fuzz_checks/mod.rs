//! The invariants the fuzz targets (`fuzz/fuzz_targets/`) assert, one function per target taking the
//! raw input bytes. They live here, not in `fuzz/`, so that `cargo test` replays every checked-in seed
//! (`fuzz/seeds/<target>/`) through the same checks on stable, without libFuzzer. Compiled only for
//! tests and with the `fuzzing` feature: the Worker never contains them.
//!
//! A check panics when an invariant breaks (that is how libFuzzer sees a finding), so the crate-wide
//! ban on panics is lifted for this module alone.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

mod cursor;
mod domain;
mod mcp;
mod uri;

pub use cursor::cursor;
pub use domain::domain;
pub use mcp::mcp_message;
pub use uri::resource_uri;

/// A target's checks: panics when an invariant breaks.
pub type Check = fn(&[u8]);

/// Every target by the name of its `fuzz/fuzz_targets/<name>.rs` and `fuzz/seeds/<name>/`.
pub const TARGETS: [(&str, Check); 4] =
    [("mcp_message", mcp_message), ("domain", domain), ("resource_uri", resource_uri), ("cursor", cursor)];

#[cfg(test)]
mod tests {
    use super::TARGETS;
    use std::path::Path;

    /// The seeds run through the fuzz targets' checks on stable, so `cargo test` exercises them too.
    #[test]
    fn every_seed_passes_its_targets_checks() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds");
        for (name, check) in TARGETS {
            let dir = root.join(name);
            let mut seeds: Vec<_> = std::fs::read_dir(&dir)
                .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
                .map(|e| e.unwrap().path())
                .collect();
            seeds.sort();
            assert!(seeds.len() >= 5, "{name}: only {} seeds", seeds.len());
            for seed in seeds {
                let data = std::fs::read(&seed).unwrap();
                if let Err(e) = std::panic::catch_unwind(|| check(&data)) {
                    let msg = e
                        .downcast_ref::<String>()
                        .map(String::as_str)
                        .or_else(|| e.downcast_ref::<&str>().copied())
                        .unwrap_or("");
                    panic!("{name}: seed {} breaks an invariant: {msg}", seed.display());
                }
            }
        }
    }

    /// The `valid_*` cursor seeds are cursors issued for their secret and binding, so the fuzzer starts
    /// from cursors that decode (and mutates them into near misses).
    #[test]
    fn the_valid_cursor_seeds_decode() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds/cursor");
        let mut valid = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("valid_")) {
                let data = std::fs::read(&path).unwrap();
                let parts: Vec<&[u8]> = data.splitn(3, |b| *b == b'\n').collect();
                let (binding, cursor) =
                    (std::str::from_utf8(parts[1]).unwrap(), std::str::from_utf8(parts[2]).unwrap());
                assert!(crate::capabilities::cursor::decode(parts[0], binding, cursor).is_some(), "{}", path.display());
                valid += 1;
            }
        }
        assert!(valid >= 3);
    }
}
