//! Integration tests: one binary (each test binary links polars, so they are kept together).

mod accounts;
mod cli;
mod fuzz;
mod plan;
mod research;
mod retirement;
mod robustness;
mod scenarios;
mod tax;
mod validation;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The built `driftlab` binary, run from the repository root.
pub fn driftlab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_driftlab"))
        .args(args)
        .current_dir(repo())
        .output()
        .expect("the driftlab binary runs")
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fresh empty temporary folder for one test.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("driftlab-it-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
