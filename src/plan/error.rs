//! Errors of `driftlab plan`: every input error names the file, the field (as a TOML path such
//! as `accounts[1].lots[0].basis`), the line when known, and what is allowed.

use std::fmt;

/// One problem with the input: a holdings file field or a command-line value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    /// The holdings file, or `command line` for a flag.
    pub file: String,
    /// The field as a TOML path (`accounts[1].lots[0].basis`) or the flag (`--contribution`).
    pub path: Option<String>,
    /// 1-based line and column in the file, when known.
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// What is wrong and what is allowed.
    pub message: String,
    /// The offending source line, shown under the message.
    pub excerpt: Option<String>,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.column {
                write!(f, ":{col}")?;
            }
        }
        write!(f, ": ")?;
        if let Some(path) = &self.path {
            write!(f, "field `{path}`: ")?;
        }
        write!(f, "{}", self.message)?;
        if let (Some(line), Some(ex)) = (self.line, &self.excerpt) {
            write!(f, "\n  {line} | {ex}")?;
        }
        Ok(())
    }
}

/// Everything `driftlab plan` can fail with.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    /// The holdings file could not be read.
    #[error("{file}: cannot read the holdings file: {source}")]
    Read {
        file: String,
        #[source]
        source: std::io::Error,
    },
    /// A bad field, value or flag (including a plan that the holdings cannot support).
    #[error("{0}")]
    Input(Box<InputError>),
    /// Writing the plan to the output failed.
    #[error("cannot write the plan: {0}")]
    Output(#[source] std::io::Error),
}

impl PlanError {
    /// Process exit code: 2 for bad input (file, field, value), 3 for failing to write output.
    pub fn exit_code(&self) -> u8 {
        match self {
            PlanError::Read { .. } | PlanError::Input(_) => 2,
            PlanError::Output(_) => 3,
        }
    }

    /// The offending field's TOML path (or flag), if this is an input error.
    pub fn path(&self) -> Option<&str> {
        match self {
            PlanError::Input(e) => e.path.as_deref(),
            _ => None,
        }
    }

    /// The 1-based line of the offending field, when known.
    pub fn line(&self) -> Option<usize> {
        match self {
            PlanError::Input(e) => e.line,
            _ => None,
        }
    }

    pub(crate) fn input(e: InputError) -> PlanError {
        PlanError::Input(Box::new(e))
    }

    /// An error about a command-line flag.
    pub(crate) fn flag(flag: &str, message: impl Into<String>) -> PlanError {
        PlanError::input(InputError {
            file: "command line".into(),
            path: Some(flag.into()),
            line: None,
            column: None,
            message: message.into(),
            excerpt: None,
        })
    }
}

impl From<std::io::Error> for PlanError {
    fn from(e: std::io::Error) -> Self {
        PlanError::Output(e)
    }
}
