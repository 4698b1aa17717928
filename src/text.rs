//! Small text helpers every layer uses (a leaf: it imports nothing of the crate), so that bounding a
//! string for a message, a log field or an audit row needs no dependency on the layer that stores it;
//! and a list of names sorted without duplicates.

/// The strings sorted, each once: what `sort()` then `dedup()` leave, by insertion into a set (the
/// standard library's sort would bring its code into the bundle for this one use).
pub fn sorted_unique(list: Vec<String>) -> Vec<String> {
    let mut set = std::collections::BTreeSet::new();
    for s in list {
        set.insert(s);
    }
    set.into_iter().collect()
}

/// At most `max` bytes, cut at a character boundary.
pub fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::{sorted_unique, truncate};

    #[test]
    fn cuts_at_a_character_boundary() {
        assert_eq!(truncate("héllo", 2), "h");
        assert_eq!(truncate("héllo", 3), "hé");
        assert_eq!(truncate("abc", 10), "abc");
    }

    #[test]
    fn sorted_unique_is_sort_then_dedup() {
        let list = ["b", "a", "c", "a", "B", "b"].map(String::from).to_vec();
        let mut want = list.clone();
        want.sort();
        want.dedup();
        assert_eq!(sorted_unique(list), want);
        assert!(sorted_unique(Vec::new()).is_empty());
    }
}
