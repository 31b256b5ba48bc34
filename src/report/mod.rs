//! report (temporary stub until the report branch lands)
use crate::metrics::RunResults;
use std::path::{Path, PathBuf};
#[derive(Debug, thiserror::Error)]
#[error("stub")]
pub struct ReportError;
impl ReportError {
    pub fn exit_code(&self) -> u8 {
        3
    }
}
pub fn write_report(
    _: &Path,
    _: &RunResults,
    _: &str,
    _: bool,
) -> Result<Vec<PathBuf>, ReportError> {
    Ok(vec![])
}
pub fn summary_json(_: &RunResults) -> serde_json::Result<String> {
    Ok(String::new())
}
