//! The texts a source names for translation: the string literal after each `t(` of the console's script
//! or `.tr(` of the server's Rust. `build.rs` keeps in the bundle's table only the lines the server's
//! `.tr("…")` calls name (the console's words are static files, `scripts/console-assets.mjs`), and the
//! `i18n` tests check every text against `strings.tsv`; both read sources with this one scanner.

use std::collections::BTreeSet;
use std::io;
use std::path::{Path, PathBuf};

/// The literal texts opened by `opener` (`t(` or `.tr(`) and `quote` in `src`, with `\'`, `\"` and `\\`
/// undone; `standalone`: only where `opener` is not the end of a longer name. A long text may start on
/// the next line (rustfmt's), after whitespace.
pub fn literals(src: &str, opener: &str, quote: char, standalone: bool) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (at, _) in src.match_indices(opener) {
        let before = src[..at].chars().next_back();
        if standalone && before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$' || c == '.') {
            continue;
        }
        let mut text = String::new();
        let rest = src[at + opener.len()..].trim_start();
        let Some(mut chars) = rest.strip_prefix(quote).map(str::chars) else { continue };
        while let Some(c) = chars.next() {
            match c {
                '\\' => text.extend(chars.next()),
                c if c == quote => break,
                c => text.push(c),
            }
        }
        out.insert(text);
    }
    out
}

/// The Rust sources under `dir`, as (path, text), but `i18n`'s own: its tests name texts of their own.
pub fn rust_sources(dir: &Path) -> io::Result<Vec<(PathBuf, String)>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.ends_with("i18n") {
            continue;
        } else if path.is_dir() {
            out.extend(rust_sources(&path)?);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path)?;
            out.push((path, text));
        }
    }
    Ok(out)
}

/// The texts the Rust sources under `dir` pass to `.tr(` (for `build.rs` and the tests).
pub fn server_texts(dir: &Path) -> io::Result<BTreeSet<String>> {
    Ok(rust_sources(dir)?.iter().flat_map(|(_, text)| literals(text, ".tr(", '"', false)).collect())
}
