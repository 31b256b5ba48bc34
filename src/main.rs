fn main() -> std::process::ExitCode {
    driftlab::cli::main()
}
