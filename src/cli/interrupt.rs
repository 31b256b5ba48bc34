//! Ctrl-C (SIGINT; also SIGTERM and SIGHUP) during `driftlab run`.
//!
//! A run has two phases:
//! * **simulating**: nothing is on disk yet, so the process exits at once (code 130);
//! * **writing**: the report is built in a hidden temporary folder. The writer stops before
//!   its next file, removes the folder and exits with code 130; an existing report is left
//!   as it was. A second Ctrl-C while writing removes the folder and exits at once. Once the
//!   finished folder is being renamed into place, the rename completes (the report is whole).
//!
//! The phase lives behind a mutex that the signal handler holds while it exits, so the main
//! thread cannot create the temporary folder in between.

use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

/// Exit code after an interrupt: 128 + SIGINT, as shells report it.
pub const EXIT_INTERRUPTED: u8 = 130;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Simulating,
    Writing,
    Finished,
}

static PHASE: Mutex<Phase> = Mutex::new(Phase::Simulating);
static TEMP: Mutex<Option<PathBuf>> = Mutex::new(None);
static INTERRUPTED: AtomicBool = AtomicBool::new(false);
static SIGNALS: AtomicU32 = AtomicU32::new(0);

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Installs the handler (once per process; later calls do nothing).
pub fn install() {
    let _ = ctrlc::set_handler(on_signal);
}

fn on_signal() {
    let count = SIGNALS.fetch_add(1, Ordering::SeqCst) + 1;
    INTERRUPTED.store(true, Ordering::SeqCst);
    // Held until the process exits: the main thread cannot move to the next phase.
    let phase = lock(&PHASE);
    match *phase {
        Phase::Simulating => {
            eprintln!("\ninterrupted: no report was written");
            std::process::exit(i32::from(EXIT_INTERRUPTED));
        }
        Phase::Writing if count >= 2 => {
            if let Some(tmp) = lock(&TEMP).clone() {
                // The writer cannot recreate the folder once it is gone (it creates it once).
                for _ in 0..3 {
                    if std::fs::remove_dir_all(&tmp).is_ok() || !tmp.exists() {
                        break;
                    }
                }
            }
            eprintln!("\ninterrupted: the report was not written");
            std::process::exit(i32::from(EXIT_INTERRUPTED));
        }
        // The writer sees the flag before its next file and cleans up.
        Phase::Writing | Phase::Finished => {}
    }
}

/// Whether an interrupt has arrived.
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// Marks the start of a simulation (nothing on disk).
pub fn begin_simulating() {
    *lock(&PHASE) = Phase::Simulating;
}

/// Moves to the writing phase, with `tmp` the temporary folder the report is built in.
/// Returns false (and stays in the simulating phase) if an interrupt already arrived.
pub fn begin_writing(tmp: Option<PathBuf>) -> bool {
    let mut phase = lock(&PHASE);
    if interrupted() {
        return false;
    }
    *lock(&TEMP) = tmp;
    *phase = Phase::Writing;
    true
}

/// The report is written (or failed): nothing of ours is left half-done on disk.
pub fn finish_writing() {
    let mut phase = lock(&PHASE);
    *lock(&TEMP) = None;
    *phase = Phase::Finished;
}
