//! The layering rules of ARCHITECTURE.md, checked against the source: every top-level module of
//! `src/` has a floor, and a module may use only modules on lower floors (never one beside or above
//! it); and no file imports, through any chain, a file that imports it back (a module's use of its own
//! children aside: declaring and re-exporting them is what a parent does). Read from the code's own
//! `crate::`, `super::`, `self::` and child-module paths, test modules left out.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The floors, lowest first. A module may use the modules of every floor below its own.
const FLOORS: &[&[&str]] = &[
    // Leaves: the runtime seam, string helpers, and the `json!` macro.
    &["platform", "text", "json"],
    // Hashes, encryption and keys derived for a purpose.
    &["crypto"],
    // What every request is served with, before anything knows HTTP or Odoo.
    &["config", "subrequests", "net"],
    // Plain HTTP types, the request's services, and the Odoo client (which knows nothing of MCP).
    &["services", "http", "odoo"],
    // What a key may do, as types: operations, model permissions, field policies, scopes; the words of
    // the pages people read (console, sign-in) in their language.
    &["access", "i18n"],
    // All SQL.
    &["store"],
    // Decisions: is this key valid, over its limit, allowed this operation.
    &["policy"],
    // The protocol's vocabulary: JSON-RPC, eras, headers, streams, the request context.
    &["mcp"],
    // What the server offers (tools, resources, prompts, completion), and the authorization server.
    &["capabilities", "oauth"],
    // The administrator's side (which sets OAuth up); /mcp: the gates, the two lanes, dispatch.
    &["admin", "transport"],
    // Which path goes where.
    &["router"],
    // Entry points.
    &["lib", "worker_adapter", "bench", "fuzz_checks"],
];

fn floor_of(module: &str) -> Option<usize> {
    FLOORS.iter().position(|floor| floor.contains(&module))
}

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).expect("src is readable").flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// A file's module path: `src/store/keys.rs` → ["store", "keys"]; `src/lib.rs` → [].
fn module_path(file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src_dir()).expect("under src");
    let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    let last = parts.pop().expect("a file name");
    let stem = last.trim_end_matches(".rs");
    if stem != "mod" && stem != "lib" {
        parts.push(stem.to_string());
    }
    parts
}

/// The code of a file without comments, string literals and its `#[cfg(test)]` module.
fn code_of(source: &str) -> String {
    let source = match source.find("#[cfg(test)]\nmod tests") {
        Some(at) => &source[..at],
        None => source,
    };
    let mut out = String::with_capacity(source.len());
    let bytes = source.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if source[i..].starts_with("//") {
            while i < bytes.len() && bytes[i] != b'\n' {
                i += 1;
            }
        } else if source[i..].starts_with("r#\"") || source[i..].starts_with("r\"") {
            let hashes = source[i + 1..].chars().take_while(|c| *c == '#').count();
            let close = format!("\"{}", "#".repeat(hashes));
            let start = i + 2 + hashes;
            i = source[start..].find(&close).map_or(bytes.len(), |end| start + end + close.len());
            out.push_str("\"\"");
        } else if bytes[i] == b'"' {
            i += 1;
            while i < bytes.len() && bytes[i] != b'"' {
                i += if bytes[i] == b'\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("\"\"");
        } else if bytes[i] == b'\'' && i + 2 < bytes.len() && (bytes[i + 2] == b'\'' || bytes[i + 1] == b'\\') {
            // A char literal ('"', '\'', '\n'); lifetimes ('a) are left alone.
            let end = source[i + 1..].find('\'').map_or(bytes.len(), |e| i + 1 + e + 1);
            let end = if bytes[i + 1] == b'\\' {
                source[i + 3..].find('\'').map_or(bytes.len(), |e| i + 3 + e + 1)
            } else {
                end
            };
            i = end;
            out.push_str("' '");
        } else {
            let c = source[i..].chars().next().expect("in bounds");
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// Expands `a::{b, c::{d, e}}` into ["a::b", "a::c::d", "a::c::e"].
fn expand(tree: &str) -> Vec<String> {
    let tree: String = tree.chars().filter(|c| !c.is_whitespace()).collect();
    let Some(open) = tree.find('{') else { return vec![tree] };
    let prefix = &tree[..open];
    let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[start..]);
    parts.into_iter().filter(|p| !p.is_empty()).flat_map(|p| expand(&format!("{prefix}{p}"))).collect()
}

/// Every path a file names: from `use` trees and from paths written in the code.
fn paths_named(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("use ") {
        let boundary = at == 0 || !rest.as_bytes()[at - 1].is_ascii_alphanumeric() && rest.as_bytes()[at - 1] != b'_';
        let after = &rest[at + 4..];
        match after.find(';') {
            Some(end) if boundary => {
                out.extend(expand(&after[..end]));
                rest = &after[end..];
            }
            _ => rest = after,
        }
    }
    let bytes = code.as_bytes();
    for root in ["crate::", "super::", "self::"] {
        let mut from = 0;
        while let Some(found) = code[from..].find(root) {
            let at = from + found;
            from = at + root.len();
            if at > 0 && (bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_' || bytes[at - 1] == b':') {
                continue;
            }
            let end = code[at..]
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':' || c == '!'))
                .map_or(code.len(), |e| at + e);
            out.push(code[at..end].trim_end_matches(':').to_string());
        }
    }
    out
}

struct Crate {
    /// Module path (joined with ::) → file.
    files: BTreeMap<String, PathBuf>,
    /// Exported macro name → the module path of the file that defines it.
    macros: BTreeMap<String, Vec<String>>,
}

impl Crate {
    fn read() -> Crate {
        let mut list = Vec::new();
        rust_files(&src_dir(), &mut list);
        let mut files = BTreeMap::new();
        let mut macros = BTreeMap::new();
        for file in list {
            let module = module_path(&file);
            let source = std::fs::read_to_string(&file).expect("readable");
            for line in source.lines() {
                if let Some(name) = line.trim().strip_prefix("macro_rules! ") {
                    macros.insert(name.trim_end_matches(" {").trim().to_string(), module.clone());
                }
            }
            files.insert(module.join("::"), file);
        }
        Crate { files, macros }
    }

    /// The module (file) a path from `module` leads to, as far as a file of the crate holds it.
    fn resolve(&self, module: &[String], path: &str) -> Option<Vec<String>> {
        let mut segs: Vec<&str> = path.split("::").filter(|s| !s.is_empty()).collect();
        let mut base: Vec<String> = match segs.first().copied() {
            Some("crate") => {
                segs.remove(0);
                Vec::new()
            }
            Some("self") | Some("super") => {
                let mut base = module.to_vec();
                while let Some(first) = segs.first() {
                    match *first {
                        "self" => {}
                        "super" => {
                            base.pop();
                        }
                        _ => break,
                    }
                    segs.remove(0);
                }
                base
            }
            _ => return None,
        };
        if let Some(last) = segs.last() {
            if let Some(name) = last.strip_suffix('!') {
                if segs.len() == 1 && path.starts_with("crate::") {
                    return self.macros.get(name).cloned();
                }
            }
        }
        let mut best = base.clone();
        for seg in segs {
            base.push(seg.trim_end_matches('!').to_string());
            if self.files.contains_key(&base.join("::")) {
                best = base.clone();
            } else {
                break;
            }
        }
        Some(best)
    }

    /// Paths into the module's own children written without a root (`search::TOOL` in `tools/mod.rs`),
    /// as `self::` paths.
    fn child_paths(&self, module: &[String], code: &str) -> Vec<String> {
        let prefix = if module.is_empty() { String::new() } else { format!("{}::", module.join("::")) };
        let children: BTreeSet<&str> = self
            .files
            .keys()
            .filter_map(|m| m.strip_prefix(prefix.as_str()).filter(|_| !m.is_empty()))
            .map(|rest| rest.split("::").next().unwrap_or(rest))
            .collect();
        let bytes = code.as_bytes();
        let mut out = Vec::new();
        for child in children {
            let needle = format!("{child}::");
            let mut from = 0;
            while let Some(found) = code[from..].find(&needle) {
                let at = from + found;
                from = at + needle.len();
                if at > 0 && (bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_' || bytes[at - 1] == b':') {
                    continue;
                }
                out.push(format!("self::{child}"));
            }
        }
        out
    }

    /// File → the files it uses (itself and its own ancestors' re-exports left out).
    fn graph(&self) -> BTreeMap<String, BTreeSet<String>> {
        let mut graph = BTreeMap::new();
        for (name, file) in &self.files {
            let module: Vec<String> =
                if name.is_empty() { Vec::new() } else { name.split("::").map(String::from).collect() };
            let code = code_of(&std::fs::read_to_string(file).expect("readable"));
            let mut uses = BTreeSet::new();
            let mut named = paths_named(&code);
            named.extend(self.child_paths(&module, &code));
            for path in named {
                if let Some(target) = self.resolve(&module, &path) {
                    let target = target.join("::");
                    // A module may use its own children (declaring and re-exporting them is what a
                    // parent does); every other edge counts.
                    let is_descendant = name.is_empty() || target.starts_with(&format!("{name}::"));
                    if target != *name && !target.is_empty() && !is_descendant {
                        uses.insert(target);
                    }
                }
            }
            graph.insert(name.clone(), uses);
        }
        graph
    }
}

fn top(module: &str) -> &str {
    match module.split("::").next() {
        Some("") | None => "lib",
        Some(first) => first,
    }
}

#[test]
fn every_top_level_module_has_a_floor() {
    let krate = Crate::read();
    let tops: BTreeSet<&str> = krate.files.keys().map(|m| top(m)).collect();
    let missing: Vec<_> = tops.iter().filter(|t| floor_of(t).is_none()).collect();
    assert!(missing.is_empty(), "modules without a floor in tests/layering.rs and ARCHITECTURE.md: {missing:?}");
}

#[test]
fn modules_use_only_lower_floors() {
    let krate = Crate::read();
    let mut upward = Vec::new();
    for (from, uses) in krate.graph() {
        let from_top = top(&from);
        for to in uses {
            let to_top = top(&to);
            if from_top == to_top {
                continue;
            }
            if let (Some(a), Some(b)) = (floor_of(from_top), floor_of(to_top)) {
                if b >= a {
                    upward.push(format!("{from} uses {to} ({from_top} is not above {to_top})"));
                }
            }
        }
    }
    assert!(upward.is_empty(), "imports that do not point down:\n  {}", upward.join("\n  "));
}

#[test]
fn no_file_imports_itself_through_a_circle() {
    let graph = Crate::read().graph();
    // Tarjan's strongly connected components: any component of more than one file is a circle.
    struct State<'g> {
        graph: &'g BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'g str, usize>,
        low: BTreeMap<&'g str, usize>,
        stack: Vec<&'g str>,
        on_stack: BTreeSet<&'g str>,
        circles: Vec<Vec<&'g str>>,
    }
    fn visit<'g>(s: &mut State<'g>, v: &'g str) {
        let i = s.index.len();
        s.index.insert(v, i);
        s.low.insert(v, i);
        s.stack.push(v);
        s.on_stack.insert(v);
        for w in s.graph.get(v).into_iter().flatten() {
            let w = w.as_str();
            if !s.graph.contains_key(w) {
                continue;
            }
            if !s.index.contains_key(w) {
                visit(s, w);
                let low = s.low[v].min(s.low[w]);
                s.low.insert(v, low);
            } else if s.on_stack.contains(w) {
                let low = s.low[v].min(s.index[w]);
                s.low.insert(v, low);
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                component.push(w);
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                s.circles.push(component);
            }
        }
    }
    let mut state = State {
        graph: &graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        circles: Vec::new(),
    };
    for v in graph.keys() {
        if !state.index.contains_key(v.as_str()) {
            visit(&mut state, v);
        }
    }
    let circles: Vec<String> = state.circles.iter().map(|c| c.join(" ⇄ ")).collect();
    assert!(circles.is_empty(), "import circles:\n  {}", circles.join("\n  "));
}

#[test]
fn the_reader_sees_what_it_should() {
    // The checks above are only as good as the reading: a use tree, a written path, a macro.
    let code =
        code_of("use crate::{a::b, c::{d, e}};\nfn f() { crate::x::y(); let s = \"crate::no\"; } // crate::no\n");
    let paths = paths_named(&code);
    for want in ["crate::a::b", "crate::c::d", "crate::c::e", "crate::x::y"] {
        assert!(paths.iter().any(|p| p == want), "{want} not in {paths:?}");
    }
    assert!(!paths.iter().any(|p| p.contains("no")), "{paths:?}");
    let krate = Crate::read();
    assert_eq!(
        krate.resolve(&["mcp".into(), "era".into()], "super::jsonrpc::Message"),
        Some(vec!["mcp".into(), "jsonrpc".into()])
    );
    assert!(krate.graph().values().any(|uses| uses.contains("platform")));
}

/// Every `src/` file (not a test module), as (path relative to `src/`, text).
fn sources() -> Vec<(String, String)> {
    let mut list = Vec::new();
    rust_files(&src_dir(), &mut list);
    list.into_iter()
        .map(|f| {
            let rel = f.strip_prefix(src_dir()).expect("under src").to_string_lossy().replace('\\', "/");
            (rel, std::fs::read_to_string(&f).expect("readable"))
        })
        .collect()
}

#[test]
fn every_file_says_what_it_owns() {
    let missing: Vec<String> =
        sources().into_iter().filter(|(_, text)| !text.starts_with("//!")).map(|(f, _)| f).collect();
    assert!(missing.is_empty(), "files without a module doc comment (`//!` first): {missing:?}");
}

#[test]
fn no_file_is_past_500_lines() {
    let long: Vec<String> = sources()
        .into_iter()
        .map(|(f, text)| (f, text.lines().count()))
        .filter(|(_, n)| *n > 500)
        .map(|(f, n)| format!("{f}: {n}"))
        .collect();
    assert!(long.is_empty(), "split these by concept: {long:?}");
}

#[test]
fn sql_lives_only_in_store() {
    // `platform` defines `Stmt`; everything else that makes a statement is `store/`.
    let outside: Vec<String> = sources()
        .into_iter()
        .filter(|(f, _)| !f.starts_with("store/") && f != "platform.rs")
        .filter(|(_, text)| code_of(text).contains("Stmt::new("))
        .map(|(f, _)| f)
        .collect();
    assert!(outside.is_empty(), "statements built outside store/: {outside:?}");
}

#[test]
fn only_the_adapter_knows_the_workers_runtime() {
    let outside: Vec<String> = sources()
        .into_iter()
        .filter(|(f, _)| f != "worker_adapter.rs" && !f.starts_with("worker_adapter/"))
        .filter(|(_, text)| {
            let code = code_of(text);
            code.contains("worker::") || code.contains("use worker") || code.contains("wasm_bindgen")
        })
        .map(|(f, _)| f)
        .collect();
    assert!(outside.is_empty(), "the Workers runtime used outside worker_adapter.rs and its files: {outside:?}");
}

/// serde_json's `from_str` and `from_value` each bring into the bundle a second copy of its parser or of
/// every type's reading code; the code reads JSON through `crate::json`'s, which share one (`json.rs`).
#[test]
fn json_is_read_through_crate_json() {
    let outside: Vec<String> = sources()
        .into_iter()
        .filter(|(f, _)| f != "json.rs" && !f.starts_with("fuzz_checks/") && !f.ends_with("tests.rs"))
        .filter(|(_, text)| {
            let code = code_of(text);
            ["serde_json::from_str", "serde_json::from_value", "serde_json::{from_"].iter().any(|p| code.contains(p))
        })
        .map(|(f, _)| f)
        .collect();
    assert!(outside.is_empty(), "use crate::json::from_str / from_value instead of serde_json's in: {outside:?}");
}

/// The two Workers (`mcp`, `admin`) differ by which paths the router serves and by the adapter's hand-off
/// of the admin half's paths, nothing else: every other module is the same code in both, tested natively
/// with both halves on.
#[test]
fn the_halves_differ_only_in_routing() {
    let outside: Vec<String> = sources()
        .into_iter()
        .filter(|(f, _)| f != "router.rs" && f != "worker_adapter.rs")
        .filter(|(_, text)| {
            text.lines()
                .filter(|l| !l.trim_start().starts_with("//"))
                .any(|l| l.contains("feature = \"mcp\"") || l.contains("feature = \"admin\""))
        })
        .map(|(f, _)| f)
        .collect();
    assert!(
        outside.is_empty(),
        "the `mcp`/`admin` features named outside router.rs and worker_adapter.rs: {outside:?}"
    );
}
