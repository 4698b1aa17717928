//! Every text of the console has its words in every language: each `t('…')` of the script and each
//! `.tr("…")` of the server's sources is a line of `strings.tsv`, each line is used and has a cell for
//! every language keeping the English text's placeholders; the server's table holds exactly the lines
//! its `.tr("…")` calls name; and which language a request gets.

use super::literals::{literals, rust_sources, server_texts};
use super::*;
use crate::http::HttpRequest;
use std::collections::BTreeSet;
use std::path::Path;

const SCRIPT: &str = include_str!("../admin/assets/console.js");

/// The texts the server's sources pass to `.tr(`.
fn server_words() -> BTreeSet<String> {
    server_texts(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src")).unwrap_or_default()
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
    let used: BTreeSet<String> = literals(SCRIPT, "t(", '\'', true).into_iter().chain(server_words()).collect();
    for text in used.difference(&english) {
        problems.push(format!("no line in strings.tsv for {text:?}"));
    }
    for text in english.difference(&used) {
        problems.push(format!("strings.tsv has {text:?}, which nothing uses"));
    }
    assert!(used.len() > 100, "the scan found the texts: {}", used.len());
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The build keeps the lines a literal names: a text chosen at run time would find no words.
#[test]
fn every_server_text_is_a_literal() {
    let mut found = 0;
    for (path, text) in rust_sources(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src")).unwrap_or_default() {
        let path = path.display();
        for (at, _) in text.match_indices(".tr(") {
            found += 1;
            let rest = text[at + 4..].trim_start();
            assert!(
                rest.starts_with('"'),
                "{path}: .tr( of something other than a literal: {}",
                &rest[..40.min(rest.len())]
            );
        }
    }
    assert!(found > 50, "the scan found the calls: {found}");
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
    assert_eq!(tag(&[("accept-language", "de;q=0.125, fr;q=0.12")]), "de");
    assert_eq!(tag(&[("accept-language", "de;q=0.5, fr;q=bad")]), "fr", "a q that is no number counts as 1");
}

#[test]
fn q_values_are_read_in_thousandths() {
    for (v, want) in [
        ("1", Some(1000)),
        ("1.000", Some(1000)),
        ("0", Some(0)),
        ("0.8", Some(800)),
        ("0.125", Some(125)),
        ("0.1259", Some(125)),
        ("0.", Some(0)),
        ("", None),
        (".5", None),
        ("0.5e1", None),
        ("-1", None),
    ] {
        assert_eq!(qvalue(v), want, "{v:?}");
    }
}

#[test]
fn the_server_table_says_what_strings_tsv_says_for_the_texts_it_names() {
    let named = server_words();
    let (mut kept, mut left) = (0, 0);
    for cells in lines() {
        let server = named.contains(cells[0]);
        for (lang, text) in LANGS.iter().zip(&cells) {
            // A line only the console's script uses is not in the bundle: the server would say it in English.
            let want = if server { *text } else { cells[0] };
            assert_eq!(lang.tr(cells[0]), want, "{} {:?}", lang.tag, cells[0]);
        }
        if server {
            kept += 1;
        } else {
            left += 1;
        }
    }
    assert_eq!(column(0).count(), kept, "the table holds the named lines and no other");
    assert!(kept > 50 && left > 100, "{kept} kept, {left} left to the console's files");
    assert_eq!(LANGS[1].tr("Sign in"), "Se connecter");
    assert_eq!(LANGS[1].tr("no such text"), "no such text");
}
