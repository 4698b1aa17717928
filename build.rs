//! Build step: the server's words, from `src/i18n/strings.tsv` (a line per English text, a column per
//! language, as translators edit it), for `i18n` to include:
//! - only the lines the server's own pages name (`.tr("…")` in `src/`): the console's script takes its
//!   words from static files beside the Worker (`scripts/console-assets.mjs`), so the bundle carries
//!   only the sign-in pages' and the console header's;
//! - rewritten a column after another: the bundle's gzip then finds a language's repeated words close by.

#[path = "src/i18n/literals.rs"]
mod literals;

use std::{env, fs, path::Path};

fn main() {
    let source = "src/i18n/strings.tsv";
    println!("cargo:rerun-if-changed={source}");
    // Any source may add a `.tr("…")` call (cargo looks at every file under a directory it is given).
    println!("cargo:rerun-if-changed=src");
    let text = fs::read_to_string(source).expect("src/i18n/strings.tsv is readable");
    let named = literals::server_texts(Path::new("src")).expect("src/ is readable");
    let width = text.lines().next().map_or(0, |header| header.split('\t').count());
    let rows: Vec<Vec<&str>> = text
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split('\t').collect::<Vec<_>>())
        .filter(|cells| named.contains(cells[0]))
        .collect();
    // A missing cell is an empty line (`i18n` falls back to English; its tests refuse such a table).
    let columns: Vec<String> = (0..width)
        .map(|c| rows.iter().map(|r| r.get(c).copied().unwrap_or("")).collect::<Vec<_>>().join("\n"))
        .collect();
    let out = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("strings_by_language.txt");
    fs::write(out, columns.join(COLUMN_END)).expect("OUT_DIR is writable");
}

/// Between two columns (the `i18n` module splits on the same).
const COLUMN_END: &str = "\n\u{1e}\n";
