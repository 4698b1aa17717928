//! The admin body reader against bodies an administrator (or a typo) might send: refused fields are named,
//! values never echoed.

use super::*;
use serde::Deserialize;
use serde_json::Value;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Inner {
    #[serde(default)]
    models: Option<Vec<String>>,
    #[serde(default)]
    operations: Option<Vec<Op>>,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(rename_all = "lowercase")]
enum Op {
    Read,
    Write,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Sample {
    id: i64,
    label: Text<10>,
    #[serde(default)]
    secret: Option<Secret<50>>,
    #[serde(default)]
    flag: Option<bool>,
    #[serde(default)]
    scope: Option<Inner>,
    #[serde(default)]
    note: Patch<Text<20>>,
}

fn err(body: &str) -> BodyError {
    read::<Sample>(body.as_bytes()).unwrap_err()
}

#[test]
fn a_well_formed_body_reads() {
    let s: Sample =
        read(br#"{"id": 3, "label": " a ", "flag": true, "scope": {"operations": ["read"]}, "note": null}"#).unwrap();
    assert_eq!((s.id, s.label.as_str(), s.flag), (3, "a", Some(true)));
    let scope = s.scope.unwrap();
    assert_eq!((scope.models, scope.operations), (None, Some(vec![Op::Read])));
    assert_eq!(s.note, Patch::Null);
    let s: Sample = read(br#"{"id": 3, "label": "a"}"#).unwrap();
    assert_eq!(s.note, Patch::Absent);
}

#[test]
fn unknown_fields_are_refused_with_the_closest_name() {
    assert_eq!(
        err(r#"{"id": 1, "label": "a", "scopes": {}}"#).to_string(),
        "unknown field 'scopes': did you mean 'scope'?"
    );
    assert_eq!(
        err(r#"{"id": 1, "label": "a", "scope": {"model": ["x"]}}"#).to_string(),
        "unknown field 'scope.model': did you mean 'models'?"
    );
    let e = err(r#"{"id": 1, "label": "a", "zzz": 1}"#);
    assert!(matches!(e, BodyError::Unknown { suggestion: None, .. }), "{e:?}");
    assert!(e.to_string().contains("id, label, secret, flag, scope, note"), "{e}");
}

#[test]
fn duplicated_keys_are_refused_at_any_depth() {
    assert_eq!(err(r#"{"id": 1, "label": "a", "label": "b"}"#), BodyError::Duplicate("label".into()));
    assert_eq!(
        err(r#"{"id": 1, "label": "a", "scope": {"models": [], "models": ["x"]}}"#),
        BodyError::Duplicate("scope.models".into())
    );
    assert_eq!(read::<Vec<Value>>(br#"[{"a": 1, "a": 2}]"#).unwrap_err(), BodyError::Duplicate("[0].a".into()));
}

#[test]
fn errors_name_the_field_and_never_echo_the_value() {
    let cases = [
        (r#"{"label": "a"}"#, "'id' is required"),
        // A derived struct would also take a list, by position.
        (r#"{"id": 1, "label": "a", "scope": [null, ["read"]]}"#, "'scope' must be struct Inner"),
        (r#"{"id": 1, "label": "a", "scope": true}"#, "'scope' must be struct Inner"),
        (r#"{"id": "omcp_secret", "label": "a"}"#, "'id' must be an integer"),
        (r#"{"id": 1.5, "label": "a"}"#, "'id' must be an integer"),
        (r#"{"id": 1, "label": " "}"#, "'label' must not be empty"),
        (r#"{"id": 1, "label": "01234567890"}"#, "'label' is longer than 10 characters"),
        (r#"{"id": 1, "label": "a\nb"}"#, "'label' must not contain control characters"),
        (r#"{"id": 1, "label": "a\u202eb"}"#, "'label' must not contain control characters"),
        (r#"{"id": 1, "label": "a", "flag": "yes"}"#, "'flag' must be true or false"),
        (r#"{"id": 1, "label": "a", "secret": 12345678}"#, "'secret' must be a string"),
        (r#"{"id": 1, "label": "a", "scope": "all"}"#, "'scope' must be struct Inner"),
        (r#"{"id": 1, "label": "a", "scope": {"models": "omcp_x"}}"#, "'scope.models' must be a list"),
        (r#"{"id": 1, "label": "a", "scope": {"models": [7]}}"#, "'scope.models[0]' must be a string"),
        (
            r#"{"id": 1, "label": "a", "scope": {"operations": ["fly"]}}"#,
            "'scope.operations[0]' must be one of 'read', 'write'",
        ),
    ];
    for (body, expected) in cases {
        let message = err(body).to_string();
        assert!(message.starts_with(expected), "{body}: {message}");
        assert!(!message.contains("omcp_") && !message.contains("12345678") && !message.contains("fly"), "{message}");
    }
    let s = read::<Sample>(br#"{"id": 1, "label": "a", "secret": "s3cr3t"}"#).unwrap();
    assert_eq!(s.secret.as_ref().map(Secret::expose), Some("s3cr3t"));
    assert!(!format!("{s:?}").contains("s3cr3t"), "Debug never shows a secret");
}

#[test]
fn the_shape_and_size_are_checked_first() {
    assert!(matches!(err("name=x"), BodyError::NotJson(_)));
    assert!(matches!(err(""), BodyError::NotJson(_)));
    assert_eq!(err("[1]"), BodyError::NotObject);
    assert_eq!(err(r#"{"id": 1} x"#).to_string().split(':').next(), Some("the body is not valid JSON"));
    let big = format!(r#"{{"id": 1, "label": "{}"}}"#, "a".repeat(MAX_BYTES));
    assert_eq!(err(&big), BodyError::TooLarge);
}

#[test]
fn routes_without_a_body_take_nothing_or_an_empty_object() {
    assert_eq!(none(b""), Ok(()));
    assert_eq!(none(b" {} "), Ok(()));
    assert_eq!(none(br#"{"reason": "x"}"#), Err(BodyError::NoBodyExpected));
    assert!(matches!(none(b"nope"), Err(BodyError::NotJson(_))));
}

#[test]
fn closest_names() {
    let known = ["scope", "expires_at", "rate_limit", "unlock_sensitive", "delete", "fields", "label"];
    for (typo, want) in [
        ("scopes", Some("scope")),
        ("Scope", Some("scope")),
        ("expires", Some("expires_at")),
        ("expiresAt", Some("expires_at")),
        ("ratelimit", Some("rate_limit")),
        ("rate", Some("rate_limit")),
        ("unlock", Some("unlock_sensitive")),
        ("delte", Some("delete")),
        ("field", Some("fields")),
        ("x", None),
        ("connection", None),
    ] {
        assert_eq!(closest(typo, &known), want, "{typo}");
    }
}
