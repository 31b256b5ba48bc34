//! Scenario errors that name the file, the line, the key and what is allowed.

use std::fmt;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// A problem with a scenario file.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioError {
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// Dotted key path, e.g. `asset[1].target` (empty for the whole file).
    pub key: String,
    /// What is wrong and what is allowed.
    pub message: String,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if !self.key.is_empty() {
            write!(f, ": `{}`", self.key)?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for ScenarioError {}

/// Finds lines of keys in a scenario's source.
pub(crate) struct Locator<'a> {
    file: String,
    src: &'a str,
    doc: Option<Spanned<DeTable<'a>>>,
}

enum Seg<'k> {
    Key(&'k str),
    Index(usize),
}

fn segments(path: &str) -> Vec<Seg<'_>> {
    let mut out = Vec::new();
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let (name, rest) = part.split_once('[').unwrap_or((part, ""));
        if !name.is_empty() {
            out.push(Seg::Key(name));
        }
        for idx in rest.split('[') {
            if let Ok(i) = idx.trim_end_matches(']').parse() {
                out.push(Seg::Index(i));
            }
        }
    }
    out
}

impl<'a> Locator<'a> {
    pub(crate) fn new(file: &str, src: &'a str) -> Self {
        Self {
            file: file.to_string(),
            src,
            doc: DeTable::parse(src).ok(),
        }
    }

    fn line_of(&self, offset: usize) -> usize {
        // An offset inside a character must not panic.
        let mut offset = offset.min(self.src.len());
        while !self.src.is_char_boundary(offset) {
            offset -= 1;
        }
        self.src[..offset].matches('\n').count() + 1
    }

    /// Line of the deepest part of `path` present in the file.
    pub(crate) fn line(&self, path: &str) -> Option<usize> {
        let doc = self.doc.as_ref()?;
        let mut span = None;
        let mut table: Option<&DeTable<'_>> = Some(doc.get_ref());
        let mut value: Option<&Spanned<DeValue<'_>>> = None;
        for seg in segments(path) {
            let next = match seg {
                Seg::Key(k) => table.and_then(|t| {
                    t.iter()
                        .find(|(key, _)| key.get_ref().as_ref() == k)
                        .map(|(_, v)| v)
                }),
                Seg::Index(i) => value
                    .and_then(|v| v.get_ref().as_array())
                    .and_then(|a| a.get(i)),
            };
            match next {
                Some(v) => {
                    span = Some(v.span());
                    table = v.get_ref().as_table();
                    value = Some(v);
                }
                None => break,
            }
        }
        span.map(|s| self.line_of(s.start))
    }

    /// An error at `path`.
    pub(crate) fn err(&self, path: &str, message: impl Into<String>) -> ScenarioError {
        ScenarioError {
            file: self.file.clone(),
            line: self.line(path),
            key: path.to_string(),
            message: message.into(),
        }
    }

    /// Converts a TOML syntax or type error, naming the key on the offending line.
    pub(crate) fn toml_error(&self, e: &toml::de::Error) -> ScenarioError {
        let mut message = plain_types(e.message().trim());
        let (line, mut key) = match e.span() {
            // A missing top-level key is reported against the whole document: no line.
            Some(span)
                if span.start == 0 && (span.end == 0 || span.end >= self.src.trim_end().len()) =>
            {
                (None, String::new())
            }
            Some(span) => (Some(self.line_of(span.start)), self.key_at(span.start)),
            None => (None, String::new()),
        };
        if let Some(field) = message
            .strip_prefix("missing field `")
            .and_then(|rest| rest.split('`').next())
        {
            // The span of a missing field is its table: name the field itself.
            key = if key.is_empty() {
                field.to_string()
            } else {
                format!("{key}.{field}")
            };
            message.push_str(
                ": this key is required (the format is in the README, section \"Scenario files\")",
            );
        }
        ScenarioError {
            file: self.file.clone(),
            line,
            key,
            message,
        }
    }

    /// The dotted key at a byte offset, e.g. `asset[1].target`: found in the parse tree
    /// (recovered as far as possible from a file with a syntax error), else guessed from the
    /// enclosing `[table]` header and the left-hand side of the line's `key = value`.
    fn key_at(&self, offset: usize) -> String {
        let mut offset = offset.min(self.src.len());
        while !self.src.is_char_boundary(offset) {
            offset -= 1;
        }
        let tree = crate::plan::source::Source::new(self.file.as_str(), self.src);
        if let Some(path) = tree
            .path_at(offset)
            .or_else(|| tree.guess_path(offset))
            .filter(|p| !p.is_empty())
        {
            return path;
        }
        let clean = |s: &str| s.trim().trim_start_matches('\u{feff}').trim().to_string();
        let before = &self.src[..offset];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let line_end = self.src[line_start..]
            .find('\n')
            .map_or(self.src.len(), |i| line_start + i);
        let line = clean(&self.src[line_start..line_end]);
        let lhs = line
            .split_once('=')
            .map(|(k, _)| k.trim().trim_matches('"').to_string())
            .unwrap_or_default();
        let header = before[..line_start]
            .lines()
            .rev()
            .map(clean)
            .find_map(|l| table_header(&l))
            .unwrap_or_default();
        match (header.is_empty(), lhs.is_empty()) {
            (_, true) if line.starts_with('[') => table_header(&line).unwrap_or_else(|| {
                line.trim_matches(|c| c == '[' || c == ']')
                    .trim()
                    .to_string()
            }),
            (true, _) => lhs,
            (false, true) => header,
            (false, false) => format!("{header}.{lhs}"),
        }
    }
}

/// The name in a `[table]` or `[[array]]` header line (not an array value such as
/// `[0.1, 1.0],` on a line of its own).
fn table_header(line: &str) -> Option<String> {
    let line = line.split('#').next().unwrap_or("").trim();
    let inner = line.strip_prefix('[')?.strip_suffix(']')?;
    let inner = inner
        .strip_prefix('[')
        .and_then(|i| i.strip_suffix(']'))
        .unwrap_or(inner)
        .trim();
    let key_like = !inner.is_empty()
        && inner
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '"' | '\'' | ' '));
    key_like.then(|| inner.to_string())
}

/// serde's Rust type names in TOML errors, in words: "expected i64" -> "expected an integer".
fn plain_types(message: &str) -> String {
    let mut m = message.to_string();
    if m.contains(" as i128") {
        m = m
            .replace("invalid type: integer ", "")
            .replace(" as i128", " is too large");
    }
    for (rust, words) in [
        ("expected i64", "expected an integer"),
        ("expected u32", "expected a whole number"),
        ("expected f64", "expected a number"),
        ("expected a boolean", "expected true or false"),
    ] {
        m = m.replace(rust, words);
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRC: &str = "version = 1\n\n[simulation]\npaths = 10\n\n[[asset]]\nname = \"a\"\ntarget = 0.5\n\n[[asset]]\nname = \"b\"\ntarget = 0.4\n";

    #[test]
    fn locates_nested_keys() {
        let l = Locator::new("s.toml", SRC);
        assert_eq!(l.line("simulation.paths"), Some(4));
        assert_eq!(l.line("asset[1].target"), Some(12));
        assert_eq!(l.line("asset[0].name"), Some(7));
        // A missing key falls back to its table.
        assert_eq!(l.line("asset[1].vol"), Some(10));
        assert_eq!(
            l.err("asset[1].target", "bad").to_string(),
            "s.toml:12: `asset[1].target`: bad"
        );
    }

    #[test]
    fn names_the_key_of_a_type_error() {
        let src = "version = 1\n[simulation]\npaths = \"many\"\n";
        let l = Locator::new("s.toml", src);
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct S {
            version: u32,
            simulation: Sim,
        }
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Sim {
            paths: i64,
        }
        let e = toml::from_str::<S>(src).unwrap_err();
        let err = l.toml_error(&e);
        assert_eq!(err.line, Some(3));
        assert_eq!(err.key, "simulation.paths");
    }
}
