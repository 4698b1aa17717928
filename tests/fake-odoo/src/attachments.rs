//! `ir.attachment`: what Odoo computes when a file is attached (`file_size` from the decoded `datas`,
//! `mimetype` given, guessed from the name or the content, and forced to `text/plain` for HTML/XML-like
//! types when the user may not write views, `type` binary), and its access rule: an attachment of a
//! record is readable by whoever may read the record, and adding one needs write access on the record.

use crate::access::{self, Perm};
use crate::errors::OResult;
use crate::store::{Env, Store};
use serde_json::{json, Map, Value};

pub const MODEL: &str = "ir.attachment";

/// Fills in the computed values of a new attachment, as `ir.attachment._check_contents` and the `datas`
/// inverse do.
pub fn on_create(store: &mut Store, env: &Env, id: i64, vals: &Map<String, Value>) {
    let raw = vals.get("datas").and_then(Value::as_str).map(decode).unwrap_or_default();
    let given = vals.get("mimetype").and_then(Value::as_str).filter(|m| !m.is_empty()).map(str::to_lowercase);
    let guessed = given
        .or_else(|| vals.get("name").and_then(Value::as_str).and_then(guess_from_name).map(str::to_string))
        .filter(|m| m != "application/octet-stream")
        .or_else(|| sniff(&raw).map(str::to_string))
        .unwrap_or_else(|| "application/octet-stream".into());
    let xml_like =
        guessed.contains("ht") || (guessed.contains("xml") && !guessed.starts_with("application/vnd.openxmlformats"));
    // Only a user who may write views keeps an HTML or XML type (the restricted user may not).
    let mimetype = if xml_like && env.restricted { "text/plain".to_string() } else { guessed };
    if let Some(rec) = store.models.get_mut(MODEL).and_then(|m| m.records.get_mut(&id)) {
        rec.insert("mimetype".into(), json!(mimetype));
        rec.insert("file_size".into(), json!(raw.len()));
        rec.insert("type".into(), json!("binary"));
    }
}

/// The record an attachment belongs to, when it belongs to one.
fn owner(store: &Store, id: i64) -> Option<(String, i64)> {
    let model = store.stored(MODEL, id, "res_model").and_then(Value::as_str).filter(|m| !m.is_empty())?;
    let res_id = store.stored(MODEL, id, "res_id").and_then(Value::as_i64).filter(|i| *i > 0)?;
    Some((model.to_string(), res_id))
}

/// Whether the caller may see the attachment: it may read its record (or, for one without, created it
/// or is the administrator).
pub fn visible(store: &Store, env: &Env, id: i64) -> bool {
    match owner(store, id) {
        Some((model, res_id)) => {
            access::has_model(env, &model, Perm::Read) && access::rule_allows(store, env, &model, res_id)
        }
        None => !env.restricted || store.stored(MODEL, id, "create_uid").and_then(Value::as_i64) == Some(env.uid),
    }
}

/// `ir.attachment.check`: reading needs read access on the records, creating, writing and deleting need
/// write access on them (Odoo's own errors, naming the record's model).
pub fn check(store: &Store, env: &Env, ids: &[i64], perm: Perm) -> OResult<()> {
    let on_record = if perm == Perm::Read { Perm::Read } else { Perm::Write };
    for id in ids {
        if let Some((model, res_id)) = owner(store, *id) {
            if store.model(&model).is_some() {
                access::check_model(store, env, &model, on_record)?;
                access::check_rules(store, env, &model, &[res_id], on_record)?;
            }
        }
    }
    Ok(())
}

/// Python's `mimetypes.guess_type` for the extensions tests use.
fn guess_from_name(name: &str) -> Option<&'static str> {
    let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
    Some(match ext.as_str() {
        "txt" => "text/plain",
        "csv" => "text/csv",
        "html" | "htm" => "text/html",
        "xml" => "application/xml",
        "json" => "application/json",
        "pdf" => "application/pdf",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "svg" => "image/svg+xml",
        _ => return None,
    })
}

/// `odoo.tools.mimetypes.guess_mimetype` for the signatures tests use.
fn sniff(raw: &[u8]) -> Option<&'static str> {
    if raw.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if raw.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else {
        None
    }
}

/// Base64 decoding as Python's `b64decode` does it (characters outside the alphabet ignored).
fn decode(s: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' => break,
            _ => continue,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_the_probe_content() {
        // The probes' file: 32 bytes, as `file_size` recorded.
        let raw = decode("aGVsbG8gZnJvbSB0aGUgYWNjZXB0YW5jZSBwcm9iZQo=");
        assert_eq!(raw, b"hello from the acceptance probe\n");
        assert_eq!(raw.len(), 32);
        assert_eq!(sniff(&decode("JVBERi0xLjQK")), Some("application/pdf"));
    }
}
