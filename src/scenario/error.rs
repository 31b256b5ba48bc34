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
        self.src[..offset.min(self.src.len())].matches('\n').count() + 1
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
    pub(crate) fn from_toml(&self, e: &toml::de::Error) -> ScenarioError {
        let (line, key) = match e.span() {
            Some(span) => {
                let line = self.line_of(span.start);
                (Some(line), self.key_at(span.start))
            }
            None => (None, String::new()),
        };
        ScenarioError {
            file: self.file.clone(),
            line,
            key,
            message: e.message().trim().to_string(),
        }
    }

    /// Best guess of the dotted key at a byte offset: the enclosing `[table]` header plus
    /// the left-hand side of the line's `key = value`.
    fn key_at(&self, offset: usize) -> String {
        let before = &self.src[..offset.min(self.src.len())];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let line_end = self.src[line_start..]
            .find('\n')
            .map_or(self.src.len(), |i| line_start + i);
        let line = &self.src[line_start..line_end];
        let lhs = line
            .split_once('=')
            .map(|(k, _)| k.trim().trim_matches('"').to_string())
            .unwrap_or_default();
        let header = before[..line_start]
            .lines()
            .rev()
            .map(str::trim)
            .find(|l| l.starts_with('['))
            .map(|h| h.trim_matches(|c| c == '[' || c == ']').trim().to_string())
            .unwrap_or_default();
        match (header.is_empty(), lhs.is_empty()) {
            (_, true) if line.trim_start().starts_with('[') => line
                .trim()
                .trim_matches(|c| c == '[' || c == ']')
                .to_string(),
            (true, _) => lhs,
            (false, true) => header,
            (false, false) => format!("{header}.{lhs}"),
        }
    }
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
        let err = l.from_toml(&e);
        assert_eq!(err.line, Some(3));
        assert_eq!(err.key, "simulation.paths");
    }
}
