//! Conversions between Odoo's HTML and plain text: `to_text` turns an Odoo message body or html field
//! (sanitized HTML) into readable text, for a model or for comparing what was written with what Odoo
//! stored; `plain_to_html` escapes plain text the way Odoo's `plaintext2html` does, for Odoo 16, which
//! takes any string body as HTML.
//!
//! Not an HTML parser: message bodies are sanitized by Odoo, so a tag scanner that knows which tags
//! break lines is enough, and it keeps the Worker free of an HTML crate.

/// Where a message body is cut, in characters.
pub const MAX_BODY_CHARS: usize = 4000;
pub const TRUNCATED: &str = "… [truncated]";

/// Tags whose end (or, for `br`, whose presence) starts a new line.
const LINE_BREAKING: [&str; 16] =
    ["p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "blockquote", "pre", "ul", "ol", "table", "hr"];

/// Plain text of an HTML body: tags stripped, line-breaking tags as newlines, entities decoded,
/// runs of blank lines collapsed, trimmed, and cut at `max_chars` with an explicit marker.
pub fn to_text(html: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    // Source whitespace is not layout in HTML: a run of it is one space.
    let mut pending_space = false;
    while let Some(c) = rest.chars().next() {
        if c == '<' {
            if let Some(after) = skip_markup(rest, &mut out, &mut pending_space) {
                rest = after;
                continue;
            }
        }
        if c.is_ascii_whitespace() {
            pending_space = true;
            rest = &rest[c.len_utf8()..];
            continue;
        }
        if pending_space && !out.is_empty() && !out.ends_with('\n') {
            out.push(' ');
        }
        pending_space = false;
        if c == '&' {
            if let Some((decoded, after)) = decode_entity(rest) {
                out.push(decoded);
                rest = after;
                continue;
            }
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    truncate(&tidy(&out), max_chars)
}

/// Handles the markup at the start of `s` (a tag, comment, or a `script`/`style` element); returns
/// what follows it, or `None` when the `<` is plain text (as in "a < b").
fn skip_markup<'a>(s: &'a str, out: &mut String, pending_space: &mut bool) -> Option<&'a str> {
    if let Some(comment) = s.strip_prefix("<!--") {
        return Some(comment.find("-->").map_or("", |end| &comment[end + 3..]));
    }
    let inner = &s[1..];
    let closing = inner.starts_with('/');
    let name_start = if closing { &inner[1..] } else { inner };
    if !name_start.starts_with(|c: char| c.is_ascii_alphabetic() || c == '!' || c == '?') {
        return None;
    }
    let end = tag_end(s)?;
    let name: String =
        name_start.chars().take_while(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_lowercase();
    let after = &s[end + 1..];
    if !closing && matches!(name.as_str(), "script" | "style" | "head" | "title") {
        // Their content is never text; skip to the matching end tag.
        let close = format!("</{name}");
        let lower = after.to_ascii_lowercase();
        return Some(match lower.find(&close) {
            Some(i) => tag_end(&after[i..]).map_or("", |e| &after[i + e + 1..]),
            None => "",
        });
    }
    if name == "br" {
        // Every <br> is a line, so an empty paragraph (`<p><br></p>`) stays a blank line.
        out.push('\n');
        *pending_space = false;
    } else if LINE_BREAKING.contains(&name.as_str()) && (closing || name == "hr" || name == "li") {
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
        // A list item starts on its own line with a bullet, so lists stay lists.
        if name == "li" && !closing {
            out.push_str("- ");
        }
        *pending_space = false;
    } else if matches!(name.as_str(), "td" | "th") && closing {
        *pending_space = true;
    }
    Some(after)
}

/// Index of the `>` closing the tag that starts `s`, ignoring `>` inside quoted attribute values.
fn tag_end(s: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '>') => return Some(i),
            _ => {}
        }
    }
    None
}

/// The character an entity at the start of `s` stands for, and what follows it. Unknown entities
/// stay as they are.
fn decode_entity(s: &str) -> Option<(char, &str)> {
    let end = s[1..].find(';').filter(|e| *e <= 10)? + 1;
    let name = &s[1..end];
    let c = match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => ' ',
        _ => {
            let code = match name.strip_prefix('#')? {
                hex if hex.starts_with(['x', 'X']) => u32::from_str_radix(&hex[1..], 16).ok()?,
                dec => dec.parse().ok()?,
            };
            // NUL and invalid code points become U+FFFD, as browsers do.
            char::from_u32(code).filter(|c| *c != '\0').unwrap_or('\u{FFFD}')
        }
    };
    Some((c, &s[end + 1..]))
}

/// Trims each line, keeps at most one blank line between paragraphs, trims the whole.
fn tidy(text: &str) -> String {
    let mut lines: Vec<&str> = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() && lines.last().is_none_or(|l| l.is_empty()) {
            continue;
        }
        lines.push(line);
    }
    lines.join("\n").trim().to_string()
}

fn truncate(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((cut, _)) => format!("{}{TRUNCATED}", text[..cut].trim_end()),
        None => text.to_string(),
    }
}

/// Odoo's `plaintext2html`: escapes the text, turns a line break into `<br>` and a blank line (or
/// more) into a new paragraph. (Odoo also turns URLs into links; a link's text is the URL anyway.)
pub fn plain_to_html(text: &str) -> String {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut paragraphs: Vec<String> = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in text.split('\n') {
        if line.trim().is_empty() {
            if !current.is_empty() {
                paragraphs.push(current.iter().map(|l| escape(l)).collect::<Vec<_>>().join("<br>"));
                current.clear();
            }
        } else {
            current.push(line);
        }
    }
    if !current.is_empty() {
        paragraphs.push(current.iter().map(|l| escape(l)).collect::<Vec<_>>().join("<br>"));
    }
    paragraphs.iter().map(|p| format!("<p>{p}</p>")).collect()
}

/// `markupsafe.escape`: the five characters that matter in HTML text and attributes.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(html: &str) -> String {
        to_text(html, MAX_BODY_CHARS)
    }

    #[test]
    fn strips_tags_and_decodes_entities() {
        // Odoo's escaped plain-text body, as recorded on 17 and 19.
        assert_eq!(
            text("<p>Fixture recorder note: plain text with &lt;b&gt;tags&lt;/b&gt; &amp; an ampersand.</p>"),
            "Fixture recorder note: plain text with <b>tags</b> & an ampersand."
        );
        assert_eq!(
            text("<p>Say &quot;hi&quot; &#39;x&#39; &#34;y&#34; a&nbsp;b &#x263A; &unknown; &amp</p>"),
            "Say \"hi\" 'x' \"y\" a b ☺ &unknown; &amp"
        );
        assert_eq!(
            text("<p>Hello <b>world</b> and <a href=\"https://x.example/?a=1&amp;b=2\" title=\"a > b\">a link</a></p>"),
            "Hello world and a link"
        );
        assert_eq!(text("1 < 2 and 3 > 2"), "1 < 2 and 3 > 2", "a lone < is text");
        assert_eq!(text("&#0; &#xFFFFFF;"), "\u{FFFD} \u{FFFD}");
    }

    #[test]
    fn line_breaking_tags_become_newlines_and_source_whitespace_collapses() {
        let jacques = "<p>Hello,<br>\n            I am Jacques from Le Club SARL.<br>\n            Can you send me the details?</p>";
        assert_eq!(text(jacques), "Hello,\nI am Jacques from Le Club SARL.\nCan you send me the details?");
        assert_eq!(
            text("<div summary=\"o_mail_notification\"><p>A new lead has been created.</p></div>"),
            "A new lead has been created."
        );
        assert_eq!(
            text("<h2>Title</h2><p>one</p><p>two</p><ul><li>a</li><li>b</li></ul>end"),
            "Title\none\ntwo\n- a\n- b\nend"
        );
        assert_eq!(
            text("<p>a</p><p><br></p><p><br></p><p><br></p><p>b</p>"),
            "a\n\nb",
            "runs of blank lines collapse to one"
        );
        assert_eq!(text("<table><tr><td>x</td><td>y</td></tr></table>"), "x y");
        assert_eq!(text("  <p>  padded  </p>  "), "padded");
        assert_eq!(text(""), "");
    }

    #[test]
    fn skips_comments_scripts_and_styles() {
        assert_eq!(
            text("<!-- hidden --><style>p { color: red }</style><p>shown</p><script>alert(1)</script>"),
            "shown"
        );
        assert_eq!(text("<p>a<!-- never closed"), "a");
        assert_eq!(text("<STYLE>x</STYLE>ok<p unterminated"), "ok<p unterminated");
    }

    #[test]
    fn long_bodies_are_cut_with_a_marker() {
        let long = format!("<p>{}</p>", "é".repeat(MAX_BODY_CHARS + 10));
        let t = text(&long);
        assert!(t.ends_with(TRUNCATED));
        assert_eq!(t.chars().count(), MAX_BODY_CHARS + TRUNCATED.chars().count());
        let exact = "x".repeat(MAX_BODY_CHARS);
        assert_eq!(text(&exact), exact, "at the limit: not cut");
    }

    #[test]
    fn plain_text_is_escaped_like_plaintext2html() {
        assert_eq!(plain_to_html("a <b> & \"c\" 'd'"), "<p>a &lt;b&gt; &amp; &#34;c&#34; &#39;d&#39;</p>");
        assert_eq!(plain_to_html("line 1\nline 2\r\n\r\n\n  \npara 2"), "<p>line 1<br>line 2</p><p>para 2</p>");
        assert_eq!(to_text(&plain_to_html("x < y\nz & w"), MAX_BODY_CHARS), "x < y\nz & w", "round trip");
    }
}
