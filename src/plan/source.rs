//! The holdings file's text, for turning byte spans into line numbers and TOML field paths.

use super::error::{InputError, PlanError};
use std::ops::Range;
use toml::de::{DeTable, DeValue};

/// A holdings file's name and text.
#[derive(Debug)]
pub struct Source {
    pub file: String,
    pub text: String,
}

/// Writes a TOML key as it appears in a path: bare if possible, quoted otherwise.
pub fn key_segment(key: &str) -> String {
    let bare = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if bare {
        key.to_string()
    } else {
        format!("{key:?}")
    }
}

/// Joins a parent path and a key.
pub fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key_segment(key)
    } else {
        format!("{parent}.{}", key_segment(key))
    }
}

impl Source {
    pub fn new(file: impl Into<String>, text: impl Into<String>) -> Source {
        Source {
            file: file.into(),
            text: text.into(),
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let before = self.text.get(..offset).unwrap_or("");
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
        let col = before
            .get(line_start..)
            .map(|s| s.chars().count())
            .unwrap_or(0)
            + 1;
        (line, col)
    }

    fn line_text(&self, line: usize) -> Option<String> {
        self.text
            .lines()
            .nth(line.checked_sub(1)?)
            .map(|l| l.trim_end().to_string())
    }

    /// An error about the field at `path`, located by `span` when known.
    pub fn error(
        &self,
        path: &str,
        span: Option<Range<usize>>,
        message: impl Into<String>,
    ) -> PlanError {
        let (line, column) = match span {
            Some(s) => {
                let (l, c) = self.line_col(s.start);
                (Some(l), Some(c))
            }
            None => (None, None),
        };
        PlanError::input(InputError {
            file: self.file.clone(),
            path: (!path.is_empty()).then(|| path.to_string()),
            line,
            column,
            message: message.into(),
            excerpt: line.and_then(|l| self.line_text(l)),
        })
    }

    /// Converts a TOML syntax or deserialization error, adding the field path.
    pub fn toml_error(&self, e: &toml::de::Error) -> PlanError {
        let span = e.span();
        // A missing top-level field is reported against the whole document.
        let whole = span
            .as_ref()
            .is_some_and(|s| s.start == 0 && (s.end == 0 || s.end >= self.text.trim_end().len()));
        let mut path = match &span {
            Some(s) if !whole => self
                .path_at(s.start)
                .or_else(|| self.guess_path(s.start))
                .unwrap_or_default(),
            _ => String::new(),
        };
        let mut message = e.message().trim().to_string();
        if let Some(rest) = message.strip_prefix("missing field `")
            && let Some(field) = rest.split('`').next()
        {
            path = join(&path, field);
            message = format!("{message}: this field is required");
        }
        if message.starts_with("unknown field") {
            message.push_str(
                " (a misspelt key? the holdings format is in the README's \"Trade plan\" section)",
            );
        }
        self.error(&path, if whole { None } else { span }, message)
    }

    /// For a file the parser cannot recover (a duplicate key, an unclosed header): the path
    /// from the `[table]` header above `offset` (arrays of tables counted, `accounts[1]`), the
    /// key on the line, and the key under `offset` if it differs (`holdings.stocks` in an
    /// inline table).
    pub fn guess_path(&self, offset: usize) -> Option<String> {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line_start = self.text[..offset].rfind('\n').map_or(0, |i| i + 1);
        let line_end = self.text[offset..]
            .find('\n')
            .map_or(self.text.len(), |i| offset + i);
        let line = self.text[line_start..line_end].trim();
        let bare = |k: &str| {
            let k = k.trim().trim_matches('"');
            (!k.is_empty()
                && k.chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | ' ' | '(' | ')')))
            .then(|| k.to_string())
        };
        let header_name = |l: &str| -> Option<(String, bool)> {
            let l = l.split('#').next().unwrap_or("").trim();
            let array = l.starts_with("[[");
            let inner = l.trim_start_matches('[').trim_end_matches(']').trim();
            let ok = l.starts_with('[')
                && !inner.is_empty()
                && inner
                    .chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'));
            ok.then(|| (inner.to_string(), array))
        };
        if let Some((name, _)) = header_name(line) {
            return Some(name);
        }
        // The enclosing table, with arrays of tables indexed by counting their headers.
        let mut table = String::new();
        let mut counts: Vec<(String, usize)> = Vec::new();
        for l in self.text[..line_start].lines() {
            if let Some((name, array)) = header_name(l) {
                if array {
                    let count = match counts.iter_mut().find(|(n, _)| *n == name) {
                        Some((_, c)) => {
                            *c += 1;
                            *c
                        }
                        None => {
                            counts.push((name.clone(), 0));
                            0
                        }
                    };
                    // Arrays nested in this one restart under its new element.
                    counts.retain(|(n, _)| !n.starts_with(&format!("{name}.")));
                    table = indexed(&name, &counts, count);
                } else {
                    table = indexed(&name, &counts, usize::MAX);
                }
            }
        }
        let lhs = line.split_once('=').and_then(|(k, _)| bare(k));
        let under = {
            let start = self.text[..offset]
                .char_indices()
                .rev()
                .find(|(_, c)| !(c.is_alphanumeric() || *c == '_' || *c == '-'))
                .map_or(0, |(i, c)| i + c.len_utf8());
            let end = self.text[offset..]
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
                .map_or(self.text.len(), |i| offset + i);
            // Only a key: the token is followed by `=`.
            let is_key = self.text[end..line_end].trim_start().starts_with('=');
            bare(&self.text[start.max(line_start)..end.max(start)]).filter(|_| is_key)
        };
        let mut path = table;
        if let Some(k) = &lhs {
            path = join(&path, k);
        }
        if let Some(u) = under
            && Some(&u) != lhs.as_ref()
            && lhs.is_some()
        {
            path = join(&path, &u);
        }
        (!path.is_empty()).then_some(path)
    }

    /// The TOML path (`accounts[1].lots[0].basis`) of the key or value at byte `offset`.
    pub fn path_at(&self, offset: usize) -> Option<String> {
        // A file with a syntax error still yields a (partial) tree, but there only a key or a
        // plain value under the offset names the field reliably, not a table header.
        let (strict, root) = match DeTable::parse(&self.text) {
            Ok(root) => (false, root),
            Err(_) => (true, DeTable::parse_recoverable(&self.text).0),
        };
        let root = DeValue::Table(root.into_inner());
        let mut path = String::new();
        find(&root, offset, strict, &mut path).then_some(path)
    }
}

/// `accounts.lots` with the current indexes of its arrays: `accounts[1].lots[0]` (`own`
/// is the index of the last segment when it is an array of tables, else `usize::MAX`).
fn indexed(name: &str, counts: &[(String, usize)], own: usize) -> String {
    let mut out = String::new();
    let mut prefix = String::new();
    let parts: Vec<&str> = name.split('.').collect();
    for (k, part) in parts.iter().enumerate() {
        prefix = if prefix.is_empty() {
            part.to_string()
        } else {
            format!("{prefix}.{part}")
        };
        out = join(&out, part);
        let index = if k + 1 == parts.len() && own != usize::MAX {
            Some(own)
        } else {
            counts.iter().find(|(n, _)| *n == prefix).map(|(_, c)| *c)
        };
        if let Some(i) = index {
            out.push_str(&format!("[{i}]"));
        }
    }
    out
}

fn contains(span: &Range<usize>, offset: usize) -> bool {
    span.start <= offset && offset < span.end.max(span.start + 1)
}

/// Depth-first search for the deepest key whose key or value span contains `offset`; with
/// `strict`, table headers (the spans of tables and arrays of tables) do not count.
fn find(value: &DeValue<'_>, offset: usize, strict: bool, path: &mut String) -> bool {
    let container = |v: &DeValue<'_>| matches!(v, DeValue::Table(_) | DeValue::Array(_));
    match value {
        DeValue::Table(t) => {
            let parent = path.clone();
            for (k, v) in t.iter() {
                *path = join(&parent, k.get_ref());
                let here = contains(&k.span(), offset)
                    || (contains(&v.span(), offset) && !(strict && container(v.get_ref())));
                if find(v.get_ref(), offset, strict, path) || here {
                    return true;
                }
            }
            *path = parent;
            false
        }
        DeValue::Array(a) => {
            for (i, e) in a.iter().enumerate() {
                let mark = path.len();
                path.push_str(&format!("[{i}]"));
                let here = contains(&e.span(), offset) && !(strict && container(e.get_ref()));
                if find(e.get_ref(), offset, strict, path) || here {
                    return true;
                }
                path.truncate(mark);
            }
            false
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = r#"[target]
stocks = "75"

[[accounts]]
name = "K"
kind = "401k"
holdings = { stocks = "1", "US bonds" = "2" }

[[accounts]]
name = "T"
kind = "taxable"
[accounts.holdings]
stocks = "5"
[[accounts.lots]]
asset = "stocks"
basis = "3"
"#;

    fn at(needle: &str) -> Option<String> {
        let src = Source::new("f.toml", DOC);
        src.path_at(DOC.find(needle).unwrap())
    }

    #[test]
    fn plan_paths_of_keys_values_and_headers() {
        assert_eq!(at("\"75\"").as_deref(), Some("target.stocks"));
        assert_eq!(at("\"401k\"").as_deref(), Some("accounts[0].kind"));
        assert_eq!(
            at("\"2\"").as_deref(),
            Some("accounts[0].holdings.\"US bonds\"")
        );
        assert_eq!(at("basis").as_deref(), Some("accounts[1].lots[0].basis"));
        assert_eq!(
            at("[[accounts.lots]]").as_deref(),
            Some("accounts[1].lots[0]")
        );
        assert_eq!(
            at("[[accounts]]\nname = \"T\"").as_deref(),
            Some("accounts[1]")
        );
    }

    #[test]
    fn plan_line_and_column() {
        let src = Source::new("f.toml", DOC);
        let off = DOC.find("basis").unwrap();
        assert_eq!(src.line_col(off), (16, 1));
        assert_eq!(src.line_col(0), (1, 1));
    }
}
