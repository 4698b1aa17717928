//! Every text of the console has its words in every language: each `t('…')` of the script and each
//! `.tr("…")` of the server's pages is a line of `strings.tsv`, each line is used and has a cell for
//! every language keeping the English text's placeholders; and which language a request gets.

use super::*;
use crate::http::HttpRequest;
use std::collections::BTreeSet;

const SCRIPT: &str = include_str!("../admin/assets/console.js");
const PAGES: &[&str] = &[
    include_str!("../admin/console.rs"),
    include_str!("../oauth/page.rs"),
    include_str!("../oauth/sign_in.rs"),
    include_str!("../oauth/offers.rs"),
    include_str!("../oauth/routes.rs"),
];

/// The literal texts opened by `opener` (`t(` or `.tr(`) and `quote` in `src`, with `\'`, `\"` and `\\`
/// undone.
fn literals(src: &str, opener: &str, quote: char, standalone: bool) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (at, _) in src.match_indices(opener) {
        let before = src[..at].chars().next_back();
        if standalone && before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$' || c == '.') {
            continue;
        }
        let mut text = String::new();
        // A long text starts on the next line (rustfmt's), after whitespace.
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

fn placeholders(s: &str) -> BTreeSet<String> {
    (0..10).map(|i| format!("{{{i}}}")).filter(|p| s.contains(p.as_str())).collect()
}

#[test]
fn the_header_names_every_language_in_order() {
    let header: Vec<&str> = STRINGS.lines().next().unwrap_or_default().split('\t').collect();
    assert_eq!(header, LANGS.map(|l| l.tag).to_vec());
}

#[test]
fn every_text_has_words_in_every_language() {
    let mut problems = Vec::new();
    let mut english = BTreeSet::new();
    for (n, cells) in lines().enumerate() {
        let line = n + 2;
        if cells.len() != LANGS.len() {
            problems.push(format!("line {line}: {} cells, not {}: {:?}", cells.len(), LANGS.len(), cells.first()));
            continue;
        }
        if !english.insert(cells[0].to_string()) {
            problems.push(format!("line {line}: {:?} twice", cells[0]));
        }
        let wanted = placeholders(cells[0]);
        for (lang, text) in LANGS.iter().zip(&cells) {
            if text.trim().is_empty() {
                problems.push(format!("line {line}: no {} for {:?}", lang.tag, cells[0]));
            } else if placeholders(text) != wanted {
                problems.push(format!("line {line}: the {} text of {:?} changes its placeholders", lang.tag, cells[0]));
            }
        }
    }
    let used: BTreeSet<String> = literals(SCRIPT, "t(", '\'', true)
        .into_iter()
        .chain(PAGES.iter().flat_map(|page| literals(page, ".tr(", '"', false)))
        .collect();
    for text in used.difference(&english) {
        problems.push(format!("no line in strings.tsv for {text:?}"));
    }
    for text in english.difference(&used) {
        problems.push(format!("strings.tsv has {text:?}, which nothing uses"));
    }
    assert!(used.len() > 100, "the scan found the texts: {}", used.len());
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_table_is_safe_inside_a_script_block() {
    for lang in LANGS {
        let json = lang.table_json();
        assert!(!json.contains('<'), "{}", lang.tag);
        let parsed: Value = serde_json::from_str(&json).unwrap_or_default();
        assert!(parsed.is_object(), "{}", lang.tag);
    }
    assert_eq!(LANGS[1].tr("Sign in"), "Se connecter");
}

fn request(headers: &[(&str, &str)]) -> HttpRequest {
    HttpRequest {
        headers: headers.iter().map(|(k, v)| ((*k).to_string(), (*v).to_string())).collect(),
        ..Default::default()
    }
}

#[test]
fn the_language_comes_from_the_cookie_then_accept_language() {
    let tag = |headers: &[(&str, &str)]| choose(&request(headers)).tag;
    assert_eq!(tag(&[]), "en");
    assert_eq!(tag(&[("accept-language", "fr-FR,fr;q=0.9,en;q=0.8")]), "fr");
    assert_eq!(tag(&[("accept-language", "sv, de;q=0.5, ar;q=0.7")]), "ar");
    assert_eq!(tag(&[("accept-language", "pt")]), "pt-BR");
    assert_eq!(tag(&[("accept-language", "zh-Hans-CN")]), "zh-CN");
    assert_eq!(tag(&[("accept-language", "ja;q=0, sv")]), "en");
    assert_eq!(tag(&[("accept-language", "fr"), ("cookie", "omcp_lang=ja")]), "ja");
    assert_eq!(tag(&[("accept-language", "fr"), ("cookie", "omcp_lang=xx")]), "fr");
    assert!(choose(&request(&[("accept-language", "ar")])).rtl);
}

#[test]
fn the_table_built_a_language_after_another_says_what_strings_tsv_says() {
    let mut count = 0;
    for cells in lines() {
        for (lang, text) in LANGS.iter().zip(&cells) {
            assert_eq!(lang.tr(cells[0]), *text, "{} {:?}", lang.tag, cells[0]);
            count += 1;
        }
    }
    assert_eq!(count, lines().count() * LANGS.len());
    for lang in &LANGS[1..] {
        let table: serde_json::Value = serde_json::from_str(&lang.table_json().replace("\\u003c", "<")).unwrap();
        assert_eq!(table.as_object().map(|t| t.len()), Some(lines().count()), "{}", lang.tag);
    }
    assert_eq!(LANGS[0].table_json(), "{}");
    assert_eq!(LANGS[1].tr("no such text"), "no such text");
}
