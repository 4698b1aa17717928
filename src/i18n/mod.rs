//! The languages of the pages people read, the console's and the OAuth sign-in's: which one a request
//! gets (the `omcp_lang` cookie the console's language picker sets, else the best match of
//! `Accept-Language`, else English), whether it is written right to left, and its words. The words are
//! `strings.tsv`: a line per English text, a column per language. The server's own texts (sign-in pages,
//! the console's header) are looked up here, in the lines `build.rs` keeps (those a `.tr("…")` names);
//! the console's script loads its language's column as a static file (`scripts/console-assets.mjs`).
//! Tool results stay English.

use crate::http::HttpRequest;

#[cfg(test)]
mod literals;

/// The cookie that remembers the language picked in the console.
pub const COOKIE: &str = "omcp_lang";
/// The table as written, for the tests.
#[cfg(test)]
const STRINGS: &str = include_str!("strings.tsv");
/// The lines of the table the server's `.tr("…")` calls name, a language after another (written by
/// `build.rs`: it compresses better in the bundle), columns ended by `COLUMN_END`, a text a line, in the
/// order of `strings.tsv`'s lines.
const COLUMNS: &str = include_str!(concat!(env!("OUT_DIR"), "/strings_by_language.txt"));
const COLUMN_END: &str = "\n\u{1e}\n";

/// A language of the console: its tag (the column of `strings.tsv`), its own name, its direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lang {
    pub tag: &'static str,
    pub name: &'static str,
    pub rtl: bool,
}

/// In the order of `strings.tsv`'s columns.
pub const LANGS: [Lang; 11] = [
    Lang { tag: "en", name: "English", rtl: false },
    Lang { tag: "fr", name: "Français", rtl: false },
    Lang { tag: "de", name: "Deutsch", rtl: false },
    Lang { tag: "es", name: "Español", rtl: false },
    Lang { tag: "nl", name: "Nederlands", rtl: false },
    Lang { tag: "it", name: "Italiano", rtl: false },
    Lang { tag: "pt-BR", name: "Português (Brasil)", rtl: false },
    Lang { tag: "pl", name: "Polski", rtl: false },
    Lang { tag: "ar", name: "العربية", rtl: true },
    Lang { tag: "zh-CN", name: "中文（简体）", rtl: false },
    Lang { tag: "ja", name: "日本語", rtl: false },
];

impl Lang {
    pub fn dir(&self) -> &'static str {
        if self.rtl {
            "rtl"
        } else {
            "ltr"
        }
    }

    fn column(&self) -> usize {
        LANGS.iter().position(|l| l == self).unwrap_or(0)
    }

    /// `english` in this language (English itself when the table has no line for it).
    pub fn tr(&self, english: &str) -> String {
        column(0)
            .position(|en| en == english)
            .and_then(|line| column(self.column()).nth(line))
            .filter(|text| !text.is_empty())
            .unwrap_or(english)
            .to_string()
    }
}

/// A language's texts (its column of `strings.tsv`), in the order of the table's lines.
fn column(col: usize) -> impl Iterator<Item = &'static str> {
    COLUMNS.split(COLUMN_END).nth(col).unwrap_or_default().split('\n')
}

/// The lines of `strings.tsv` after its header, as cells.
#[cfg(test)]
fn lines() -> impl Iterator<Item = Vec<&'static str>> {
    STRINGS.lines().skip(1).filter(|l| !l.trim().is_empty()).map(|l| l.split('\t').collect())
}

/// A tag as the console knows it: exactly, or by its language alone (`pt` is Brazilian Portuguese,
/// every `zh` simplified Chinese, `fr-CA` French).
fn known(tag: &str) -> Option<Lang> {
    let tag = tag.trim().to_ascii_lowercase();
    let primary = tag.split(['-', '_']).next().unwrap_or_default();
    LANGS
        .iter()
        .find(|l| l.tag.to_ascii_lowercase() == tag)
        .or_else(|| LANGS.iter().find(|l| l.tag.split('-').next() == Some(primary)))
        .copied()
}

/// The request's language: the picker's cookie, else `Accept-Language` by preference, else English.
pub fn choose(req: &HttpRequest) -> Lang {
    if let Some(lang) = req.cookie(COOKIE).and_then(known) {
        return lang;
    }
    let offered = req.header("accept-language").unwrap_or_default().split(',').filter_map(|part| {
        let mut it = part.split(';');
        let tag = it.next()?.trim();
        let q = it.find_map(|p| p.trim().strip_prefix("q=").and_then(|v| qvalue(v.trim()))).unwrap_or(1000);
        Some((q, known(tag)?)).filter(|(q, _)| *q > 0)
    });
    // Of equal preference, the first named wins (a fold rather than a sort: no sort's code in the bundle).
    offered
        .fold(None, |best: Option<(u32, Lang)>, (q, l)| match best {
            Some((top, _)) if top >= q => best,
            _ => Some((q, l)),
        })
        .map_or(LANGS[0], |(_, l)| l)
}

/// A q-value (RFC 9110, 12.4.2: `1`, `0.8`, `0.125`) in thousandths: digits, then up to three after a point
/// (more are ignored). Read by hand: parsing it as a float would bring core's float parser and its 10 KB
/// table into the bundle.
fn qvalue(v: &str) -> Option<u32> {
    let (int, frac) = v.split_once('.').unwrap_or((v, ""));
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty() || int.len() > 3 || !digits(int) || !digits(frac) {
        return None;
    }
    let thousandths = frac.bytes().chain(*b"000").take(3).fold(0, |n, b| n * 10 + u32::from(b - b'0'));
    Some(int.parse::<u32>().ok()? * 1000 + thousandths)
}

#[cfg(test)]
mod tests;
