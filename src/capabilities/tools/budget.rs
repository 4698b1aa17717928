//! The response-size budget of the read tools, so that one call never floods a model's context.
//!
//! Two caps: no string value longer than `MAX_VALUE_CHARS` (cut on a character boundary, ending with an
//! explicit marker, and reported in `truncated_values`), and no answer larger than
//! `Settings::max_response_bytes` of JSON — the size of `structuredContent`, whose JSON is also the
//! text content. Items are kept in order while they fit (never skipping one to fit a later one, so a
//! cursor or offset continues right after the last item returned), and the first item is always kept,
//! so that paging always makes progress. Each item is serialized once, into a byte counter.

use crate::config::MIN_RESPONSE_BYTES;
use serde::Serialize;
use serde_json::Value;

/// String values longer than this many characters are cut.
pub const MAX_VALUE_CHARS: usize = 4_000;

/// Kept free for what a cut answer gains after fitting: the notice, a `next_cursor`, the
/// `truncated_values` key. A notice is at most ~250 bytes, a cursor ~50.
const NOTICE_ROOM: usize = 512;

/// A value cut to `MAX_VALUE_CHARS`: the record's id, the field it sits in, its full length in characters.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TruncatedValue {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    pub field: String,
    pub length: usize,
}

/// The cap on one answer, from `Settings::max_response_bytes` (never below `MIN_RESPONSE_BYTES`, so a
/// default-built `Settings` still answers).
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    max_bytes: usize,
}

/// What fitting left: the items to return, in order, and those after them that did not fit.
#[derive(Debug)]
pub struct Fitted {
    pub kept: Vec<Value>,
    pub left_out: Vec<Value>,
    /// Cuts in the kept items only.
    pub truncated_values: Vec<TruncatedValue>,
}

impl Budget {
    pub fn new(max_bytes: usize) -> Budget {
        Budget { max_bytes: max_bytes.max(MIN_RESPONSE_BYTES) }
    }

    /// Records: long values cut first, then the leading records that fit beside `envelope` (the answer
    /// as it will be sent, with an empty list where the records go).
    pub fn fit_records(&self, envelope: &Value, records: Vec<Value>) -> Fitted {
        self.fit(envelope, records, true)
    }

    /// Items returned whole (aggregate groups): the leading ones that fit beside `envelope`.
    pub fn fit_items(&self, envelope: &Value, items: Vec<Value>) -> Fitted {
        self.fit(envelope, items, false)
    }

    fn fit(&self, envelope: &Value, items: Vec<Value>, cut_values: bool) -> Fitted {
        let mut room = self.max_bytes.saturating_sub(json_len(envelope).saturating_add(NOTICE_ROOM));
        let mut kept = Vec::with_capacity(items.len());
        let mut truncated_values = Vec::new();
        let mut items = items.into_iter();
        while let Some(mut item) = items.next() {
            let cuts = if cut_values { cut_long_values(&mut item) } else { Vec::new() };
            // One separator per item (the first one's pays for nothing, which keeps the sum an upper bound).
            let cost = cuts.iter().fold(json_len(&item) + 1, |sum, cut| sum.saturating_add(json_len(cut) + 1));
            if cost > room && !kept.is_empty() {
                let left_out = std::iter::once(item).chain(items).collect();
                return Fitted { kept, left_out, truncated_values };
            }
            room = room.saturating_sub(cost);
            kept.push(item);
            truncated_values.extend(cuts);
        }
        Fitted { kept, left_out: Vec::new(), truncated_values }
    }
}

impl Fitted {
    /// Items were left out for size.
    pub fn is_cut(&self) -> bool {
        !self.left_out.is_empty()
    }

    /// What the model is told when anything was cut: how many `what` came back of how many, then
    /// `how_to_continue`; and how many values were cut. `None` when nothing was.
    pub fn notice(&self, budget: Budget, what: &str, how_to_continue: &str) -> Option<String> {
        let mut parts = Vec::new();
        if self.is_cut() {
            let total = self.kept.len() + self.left_out.len();
            parts.push(format!(
                "Response cut at {} bytes: {} of {total} {what} returned. {how_to_continue}",
                budget.max_bytes,
                self.kept.len()
            ));
        }
        match self.truncated_values.len() {
            0 => {}
            1 => {
                parts.push(format!("1 value longer than {MAX_VALUE_CHARS} characters was cut (see truncated_values)."))
            }
            n => parts
                .push(format!("{n} values longer than {MAX_VALUE_CHARS} characters were cut (see truncated_values).")),
        }
        (!parts.is_empty()).then(|| parts.join(" "))
    }
}

/// Cuts every string longer than `MAX_VALUE_CHARS` anywhere in a record's fields (a text, an html, a
/// binary's base64, a name inside a relation), reporting each under its top-level field.
fn cut_long_values(record: &mut Value) -> Vec<TruncatedValue> {
    let id = record.get("id").and_then(Value::as_i64);
    let Value::Object(fields) = record else {
        return Vec::new();
    };
    let mut cuts = Vec::new();
    for (field, value) in fields.iter_mut() {
        cut_within(value, &mut |length| cuts.push(TruncatedValue { id, field: field.clone(), length }));
    }
    cuts
}

fn cut_within(value: &mut Value, report: &mut impl FnMut(usize)) {
    match value {
        Value::String(s) => {
            if let Some(length) = cut_string(s) {
                report(length);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| cut_within(v, report)),
        Value::Object(map) => map.values_mut().for_each(|v| cut_within(v, report)),
        _ => {}
    }
}

/// Cuts `s` after `MAX_VALUE_CHARS` characters and appends the marker; returns the full length in
/// characters when it cut.
fn cut_string(s: &mut String) -> Option<usize> {
    // A string of at most MAX_VALUE_CHARS bytes has at most as many characters: no need to count.
    if s.len() <= MAX_VALUE_CHARS {
        return None;
    }
    let (end, _) = s.char_indices().nth(MAX_VALUE_CHARS)?;
    let more = s[end..].chars().count();
    s.truncate(end);
    s.push_str(&format!("… [truncated: {more} more characters]"));
    Some(MAX_VALUE_CHARS + more)
}

/// The length of `v`'s compact JSON, as `to_string` would write it, without building the string.
pub fn json_len<T: Serialize + ?Sized>(v: &T) -> usize {
    struct Counter(usize);
    impl std::io::Write for Counter {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut counter = Counter(0);
    // Writing to a counter cannot fail, and JSON values and our structs always serialize.
    match serde_json::to_writer(&mut counter, v) {
        Ok(()) => counter.0,
        Err(_) => usize::MAX,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn partner(id: i64, name: &str) -> Value {
        json!({"id": id, "name": name, "email": format!("{name}@example.com")})
    }

    fn answer(envelope: &Value, fitted: &Fitted) -> String {
        let mut out = envelope.clone();
        out["records"] = json!(fitted.kept);
        out["truncated_values"] = json!(fitted.truncated_values);
        out["next_cursor"] = json!("1234.ABCDEFGHIJKLMNOPQRSTUV");
        out["notice"] =
            json!(fitted.notice(Budget::new(0), "records", "Pass next_cursor to continue, or ask for fewer fields."));
        out.to_string()
    }

    #[test]
    fn long_strings_are_cut_on_a_char_boundary_with_a_marker() {
        let mut exact = "x".repeat(MAX_VALUE_CHARS);
        assert_eq!(cut_string(&mut exact), None);
        // Multi-byte characters: more bytes than the cap, but not more characters.
        let mut wide = "é".repeat(MAX_VALUE_CHARS);
        assert_eq!(cut_string(&mut wide), None);
        assert_eq!(wide.chars().count(), MAX_VALUE_CHARS);

        let mut long = "ü".repeat(MAX_VALUE_CHARS + 12_345);
        assert_eq!(cut_string(&mut long), Some(MAX_VALUE_CHARS + 12_345));
        assert!(long.ends_with("… [truncated: 12345 more characters]"), "{}", &long[long.len() - 60..]);
        assert_eq!(long.chars().take_while(|c| *c == 'ü').count(), MAX_VALUE_CHARS);
    }

    #[test]
    fn cuts_are_reported_by_record_and_field_even_when_nested() {
        let mut r = json!({"id": 7, "name": "short", "comment": "a".repeat(5_000), "partner_id": [3, "b".repeat(4_001)], "n": 1});
        let cuts = cut_long_values(&mut r);
        assert_eq!(
            cuts,
            vec![
                TruncatedValue { id: Some(7), field: "comment".into(), length: 5_000 },
                TruncatedValue { id: Some(7), field: "partner_id".into(), length: 4_001 },
            ]
        );
        assert!(r["comment"].as_str().unwrap().ends_with("[truncated: 1000 more characters]"));
        assert!(r["partner_id"][1].as_str().unwrap().ends_with("[truncated: 1 more characters]"));
        assert_eq!(r["name"], "short");
        assert_eq!(json_len(&cuts[0]), serde_json::to_string(&cuts[0]).unwrap().len());
    }

    #[test]
    fn keeps_records_in_order_while_they_fit() {
        let budget = Budget::new(2_000);
        let envelope = json!({"model": "res.partner", "records": [], "count": 40, "offset": 0});
        let records: Vec<Value> = (1..=40).map(|i| partner(i, &format!("partner number {i}"))).collect();
        let fitted = budget.fit_records(&envelope, records);
        assert!(fitted.is_cut());
        assert!(fitted.kept.len() > 5, "{}", fitted.kept.len());
        let ids: Vec<i64> = fitted.kept.iter().chain(&fitted.left_out).map(|r| r["id"].as_i64().unwrap()).collect();
        assert_eq!(ids, (1..=40).collect::<Vec<_>>(), "nothing lost, nothing reordered");
        assert!(answer(&envelope, &fitted).len() <= 2_000, "{}", answer(&envelope, &fitted).len());
        let notice = fitted.notice(budget, "records", "Pass next_cursor to continue.").unwrap();
        assert_eq!(
            notice,
            format!(
                "Response cut at 2000 bytes: {} of 40 records returned. Pass next_cursor to continue.",
                fitted.kept.len()
            )
        );
    }

    #[test]
    fn never_skips_a_big_record_to_fit_a_later_small_one() {
        let budget = Budget::new(1_000);
        let records = vec![partner(1, "a"), json!({"id": 2, "name": "x".repeat(900)}), partner(3, "c")];
        let fitted = budget.fit_records(&json!({"records": []}), records);
        assert_eq!(fitted.kept.len(), 1);
        assert_eq!(fitted.left_out.len(), 2);
    }

    #[test]
    fn the_first_record_is_always_kept_after_its_cuts() {
        let budget = Budget::new(1_000);
        let records = vec![json!({"id": 1, "comment": "z".repeat(50_000)}), partner(2, "b")];
        let fitted = budget.fit_records(&json!({"records": []}), records);
        assert_eq!(fitted.kept.len(), 1);
        assert!(fitted.kept[0]["comment"].as_str().unwrap().len() < MAX_VALUE_CHARS + 100);
        assert_eq!(
            fitted.truncated_values,
            vec![TruncatedValue { id: Some(1), field: "comment".into(), length: 50_000 }]
        );
        assert_eq!(fitted.left_out[0]["id"], 2);
        let notice = fitted.notice(budget, "records", "Ask again.").unwrap();
        assert!(notice.contains("1 of 2 records") && notice.contains("1 value longer than 4000"), "{notice}");
    }

    #[test]
    fn small_answers_are_untouched() {
        let budget = Budget::new(48_000);
        let records: Vec<Value> = (1..=20).map(|i| partner(i, "p")).collect();
        let fitted = budget.fit_records(&json!({"records": []}), records.clone());
        assert_eq!(fitted.kept, records);
        assert!(!fitted.is_cut() && fitted.truncated_values.is_empty());
        assert_eq!(fitted.notice(budget, "records", "x"), None);
    }

    #[test]
    fn items_are_kept_whole_and_the_cap_has_a_floor() {
        let budget = Budget::new(10);
        assert_eq!(budget.max_bytes, MIN_RESPONSE_BYTES);
        let groups = vec![json!({"label": "y".repeat(5_000)}), json!({"label": "z"})];
        let fitted = budget.fit_items(&json!({"groups": []}), groups);
        assert_eq!(fitted.kept[0]["label"].as_str().unwrap().len(), 5_000, "groups are not cut");
        assert!(fitted.truncated_values.is_empty());
        assert_eq!(fitted.left_out.len(), 1);
    }
}
